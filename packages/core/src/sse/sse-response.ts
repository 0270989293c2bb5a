import { request } from 'undici'
import type { FetchLike } from './sse-transport-types.js'

/** What an SSE request sends, already normalised (lower-case header names, JSON body serialised). */
export interface SseRequestInit {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
}

/**
 * A response whose headers have arrived, with the body still to read. Both HTTP clients (undici's
 * `request` and a `fetch`) are reduced to this, so the transport has one code path.
 */
export interface SseResponse {
  readonly status: number
  header(name: string): string | undefined
  /** The body chunks; `next()` rejects when the connection breaks. */
  readonly body: AsyncIterator<Uint8Array>
  /** Stops reading and releases the socket (destroys it when the body has not ended). Idempotent. */
  cancel(): void
}

const noop = () => {}

const EMPTY_BODY: AsyncIterator<Uint8Array> = {
  next: () => Promise.resolve({ done: true, value: undefined }),
}

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
  return {
    status: response.statusCode,
    header: (name) => {
      const value = headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : value
    },
    body: body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
    cancel: () => {
      if (!body.destroyed) body.destroy()
    },
  }
}

/** Sends the request with a caller-supplied `fetch`; its body may be a web stream or an async iterable. */
export async function openWithFetch(
  fetchFn: FetchLike,
  url: string,
  init: SseRequestInit,
): Promise<SseResponse> {
  const response = await fetchFn(url, {
    method: init.method,
    headers: init.headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: init.signal,
  })
  const source = response.body
  let body: AsyncIterator<Uint8Array> = EMPTY_BODY
  let cancelBody: () => void = noop
  if (source !== null && typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader()
    body = {
      next: async () => {
        const { done, value } = await reader.read()
        return done ? { done: true, value: undefined } : { done: false, value }
      },
    }
    cancelBody = () => {
      reader.cancel().catch(noop)
    }
  } else if (source !== null) {
    const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    body = iterator
    cancelBody = () => {
      iterator.return?.()?.catch(noop)
    }
  }
  let cancelled = false
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    body,
    cancel: () => {
      if (cancelled) return
      cancelled = true
      cancelBody()
    },
  }
}

/** Reads at most `limit` bytes of the body as UTF-8 text (error bodies are only for diagnostics). */
export async function readBodyText(response: SseResponse, limit: number): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < limit) {
    const { done, value } = await response.body.next()
    if (done) break
    chunks.push(value)
    size += value.length
  }
  const all = new Uint8Array(Math.min(size, limit))
  let offset = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, all.length - offset)
    all.set(part, offset)
    offset += part.length
  }
  return new TextDecoder().decode(all)
}
