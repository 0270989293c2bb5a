import { request } from 'undici'
import type { SseRequestInit, SseResponse } from '../sse/sse-response.js'

// Node only (imported by runtime-node): undici pulls in Node built-ins no browser bundle can resolve.

const noop = () => {}

/** Sends the request with undici's `request` (the fast path: no WHATWG streams in between). */
export async function openWithUndici(url: string, init: SseRequestInit): Promise<SseResponse> {
  const response = await request(url, {
    method: init.method,
    headers: init.headers,
    body: init.body ?? null,
    signal: init.signal,
    // The transport runs its own open timeout and heartbeat; undici's defaults (300 s) would only
    // cut long-lived quiet streams behind the caller's back.
    headersTimeout: 0,
    bodyTimeout: 0,
  })
  const { body, headers } = response
  // A late 'error' after cancel() must not become an uncaught exception.
  body.on('error', noop)
  let cancelled = false
  return {
    status: response.statusCode,
    header: (name) => {
      const value = headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : value
    },
    consume: (sink) => {
      let settled = false
      // 'data' events rather than async iteration: iteration goes through `read()`, which concatenates
      // whatever is buffered into a new Buffer — a copy of every byte on a busy stream.
      body.on('data', sink.chunk)
      body.once('end', () => {
        settled = true
        sink.end()
      })
      body.once('error', (error) => {
        if (settled || cancelled) return
        settled = true
        sink.error(error)
      })
      body.once('close', () => {
        if (settled || cancelled) return
        settled = true
        sink.error(new Error('the response body closed before its end'))
      })
    },
    cancel: () => {
      cancelled = true
      body.removeAllListeners('data')
      if (!body.destroyed) body.destroy()
    },
  }
}
