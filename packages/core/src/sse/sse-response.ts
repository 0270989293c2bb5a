import type { FetchLike } from './sse-transport-types.js'

/** What an SSE request sends, already normalised (lower-case header names, JSON body serialised). */
export interface SseRequestInit {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
}

/** Receives a response body. Exactly one of `end` and `error` is called, once, unless cancelled first. */
export interface BodySink {
  /** One chunk. Must not throw: the read loop has nowhere to report it. */
  chunk(bytes: Uint8Array): void
  end(): void
  error(error: unknown): void
}

/**
 * A response whose headers have arrived, with the body still to read. Both HTTP clients (undici's
 * `request` on Node, see `runtime/undici-sse.ts`, and a `fetch`) are reduced to this, so the transport
 * has one code path.
 */
export interface SseResponse {
  readonly status: number
  header(name: string): string | undefined
  /** Starts delivering the body to `sink` (call once). */
  consume(sink: BodySink): void
  /** Stops reading and releases the socket (destroys it when the body has not ended). Idempotent. */
  cancel(): void
}

const noop = () => {}

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
  let cancelled = false
  let next: () => Promise<IteratorResult<Uint8Array>> = () =>
    Promise.resolve({ done: true, value: undefined })
  let cancelSource: () => void = noop
  if (source !== null && typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader()
    next = async () => {
      const { done, value } = await reader.read()
      return done ? { done: true, value: undefined } : { done: false, value }
    }
    cancelSource = () => {
      reader.cancel().catch(noop)
    }
  } else if (source !== null) {
    const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    next = () => iterator.next()
    cancelSource = () => {
      iterator.return?.()?.catch(noop)
    }
  }
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    consume: (sink) => {
      const pump = async () => {
        try {
          for (;;) {
            const result = await next()
            if (cancelled) return
            if (result.done) return sink.end()
            sink.chunk(result.value)
          }
        } catch (error) {
          if (!cancelled) sink.error(error)
        }
      }
      void pump()
    },
    cancel: () => {
      if (cancelled) return
      cancelled = true
      cancelSource()
    },
  }
}

/** Reads at most `limit` bytes of the body as UTF-8 text (error bodies are only for diagnostics). */
export function readBodyText(response: SseResponse, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let size = 0
    let done = false
    const finish = () => {
      if (done) return
      done = true
      const all = new Uint8Array(Math.min(size, limit))
      let offset = 0
      for (const chunk of chunks) {
        const part = chunk.subarray(0, all.length - offset)
        all.set(part, offset)
        offset += part.length
      }
      resolve(new TextDecoder().decode(all))
    }
    response.consume({
      chunk: (bytes) => {
        if (done) return
        chunks.push(bytes)
        size += bytes.length
        if (size >= limit) {
          finish()
          response.cancel()
        }
      },
      end: finish,
      error: (error) => {
        if (done) return
        done = true
        reject(error)
      },
    })
  })
}
