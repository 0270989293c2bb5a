import type { ChainstreamError } from '../errors/chainstream-error.js'
import type { SseMessage } from './sse-types.js'

/**
 * A `fetch`-compatible function (the global one, undici's, or a user's), used instead of the runtime's
 * HTTP client (undici's `request` on Node, the global `fetch` in browsers and workers).
 */
export type FetchLike = (
  input: string,
  init: {
    method: string
    headers: Record<string, string>
    body?: string
    signal: AbortSignal
  },
) => Promise<{
  status: number
  /** The response headers. */
  headers: {
    /** A header by name (case-insensitive); null when absent. */
    get(name: string): string | null
  }
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null
  /** Reads the whole body as text (for error responses). */
  text(): Promise<string>
}>

/** Options of {@link connectSse}. */
export interface SseConnectOptions {
  /** The endpoint. Secrets in its query are redacted wherever the URL appears in errors. */
  url: string
  /** @default 'GET' */
  method?: 'GET' | 'POST'
  /** Extra request headers (auth goes here). `Accept: text/event-stream` is added. */
  headers?: Record<string, string>
  /** A JSON body (POST); sent with `Content-Type: application/json`. */
  body?: unknown
  /** Aborting closes the connection. */
  signal?: AbortSignal
  /** No bytes for this long → the connection fails with `HeartbeatTimeout`. `0` or omitted disables it. */
  heartbeatTimeoutMs?: number
  /**
   * Opening (until response headers, and the error body of a non-2xx answer) takes longer than this →
   * `OpenTimeout`. `0` disables it. @default 30_000
   */
  openTimeoutMs?: number
  /** Maximum size of one event in bytes. @default 8 MiB */
  maxEventSize?: number
  /** Use this `fetch` instead of the runtime's client (for custom agents, proxies, instrumentation). */
  fetch?: FetchLike
  /**
   * Called for every event. Runs synchronously on the read loop: keep it cheap. A throw (from this or any
   * other callback) ends the connection with a `ConnectionClosed` error whose `cause` is the thrown value.
   */
  onEvent: (message: SseMessage) => void
  /** Called for every comment line (keepalives). */
  onComment?: (comment: string) => void
  /** Called when the server sets `retry:`. */
  onRetry?: (ms: number) => void
  /** Called with the byte count of every chunk received (for counters). */
  onBytes?: (count: number) => void
}

/** Why an SSE connection ended. */
export type SseCloseReason =
  /** The server ended the response body cleanly. */
  | { kind: 'end' }
  /** The connection failed (drop mid-body, heartbeat timeout, oversize event, …). */
  | { kind: 'error'; error: ChainstreamError }
  /** `close()` was called or the signal aborted. */
  | { kind: 'closed' }

/** An open SSE connection (response headers received with a 2xx status). */
export interface SseConnection {
  /** The response status. */
  readonly status: number
  /** Response header lookup. */
  header(name: string): string | undefined
  /** Settles once when the connection ends, for whatever reason; never rejects. */
  readonly closed: Promise<SseCloseReason>
  /** Closes the connection (idempotent). */
  close(): void
}
