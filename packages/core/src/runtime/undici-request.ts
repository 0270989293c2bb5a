import { request } from 'undici'
import { ChainstreamError } from '../errors/chainstream-error.js'
import { redactUrl } from '../errors/redact.js'
import type { HttpTextRequest, HttpTextResponse } from '../http/fetch-text.js'

// Node only (imported by runtime-node): undici's `request` skips the WHATWG streams `fetch` goes through.

/** A snapshot answer larger than this is refused instead of buffered. */
const MAX_BODY = 32 * 1024 * 1024

/** Sends `init` with undici's `request` and reads the body (at most 32 MiB) as UTF-8 text. */
export async function requestTextWithUndici(url: string, init: HttpTextRequest): Promise<HttpTextResponse> {
  const response = await request(url, {
    method: init.method,
    headers: init.headers,
    signal: init.signal,
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) {
      response.body.destroy()
      throw new ChainstreamError(
        'ProtocolError',
        `The response from ${redactUrl(url)} exceeds ${MAX_BODY} bytes`,
      )
    }
    chunks.push(chunk)
  }
  return {
    status: response.statusCode,
    text: Buffer.concat(chunks).toString('utf8'),
    header: (name) => {
      const value = response.headers[name.toLowerCase()]
      return Array.isArray(value) ? value[0] : value
    },
  }
}
