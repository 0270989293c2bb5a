import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { PreparedFault } from './faults.js'
import { goJsonStringify } from './go-json.js'

const noop = () => {}

/** Headers of a JSON answer. */
export const jsonHeaders = (body: string, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => ({
  'content-type': 'application/json',
  'content-length': Buffer.byteLength(body),
  ...extra,
})

/** Writes a complete answer (ignored when the response already started or the client left). */
export function send(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  res.on('error', noop)
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

/** Writes `body` as JSON, serialised like the Go server. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: OutgoingHttpHeaders = {},
): void {
  const text = goJsonStringify(body)
  send(res, status, text, jsonHeaders(text, extra))
}

/** Writes a prepared `failNext` fault. */
export function sendFault(res: ServerResponse, fault: PreparedFault): void {
  send(res, fault.status, fault.body, fault.headers)
}
