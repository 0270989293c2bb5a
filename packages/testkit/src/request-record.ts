import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/** One HTTP request as a test server saw it. */
export interface RecordedRequest {
  /** `GET`, `POST`, … */
  method: string
  /** Path and query, as sent (`/stream?api_key=…`). */
  url: string
  /** Request headers, names lower-cased (Node's representation). */
  headers: IncomingHttpHeaders
  /** The whole request body as UTF-8 text (`''` when there was none). */
  body: string
  /** When the request arrived (epoch ms). */
  at: number
}

/** Reads the request body to its end and records the request. */
export async function recordRequest(request: IncomingMessage): Promise<RecordedRequest> {
  const at = Date.now()
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: request.headers,
    body: Buffer.concat(chunks).toString('utf8'),
    at,
  }
}
