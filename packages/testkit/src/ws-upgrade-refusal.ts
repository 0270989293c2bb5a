import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/** How to refuse an upgrade: an HTTP status, with an optional body and headers (e.g. `Retry-After`). */
export interface WsRefusal {
  status: number
  /** A string is sent as `text/plain`, anything else as JSON. */
  body?: unknown
  headers?: Record<string, string>
}

/**
 * Answers an upgrade request with a plain HTTP response instead of `101 Switching Protocols`, then
 * closes the connection — what a gateway does for a bad key (401) or a rate limit (429).
 */
export function writeUpgradeRefusal(socket: Duplex, refusal: WsRefusal): void {
  const body =
    refusal.body === undefined
      ? ''
      : typeof refusal.body === 'string'
        ? refusal.body
        : JSON.stringify(refusal.body)
  // Lower-cased keys so a caller's `content-type` replaces the default instead of duplicating it.
  const headers: Record<string, string> = {
    connection: 'close',
    'content-type': typeof refusal.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  }
  for (const [name, value] of Object.entries(refusal.headers ?? {})) headers[name.toLowerCase()] = value
  const head = [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Unknown'}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n')
  // The client may reset the connection as soon as it has read the status; that is not a server failure.
  socket.on('error', () => {})
  socket.end(`${head}\r\n\r\n${body}`)
}
