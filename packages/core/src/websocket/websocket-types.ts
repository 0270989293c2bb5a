import type { ChainstreamError } from '../errors/chainstream-error.js'

/**
 * An event-handler property type. Declared through a method so that it is checked bivariantly: `ws` and
 * the DOM type their handlers with their own, richer event types (`(event: ws.MessageEvent) => void`),
 * which a plain function type with a narrower parameter would reject under `strictFunctionTypes`.
 */
export type WebSocketEventHandler<E> = { handle(event: E): void }['handle'] | null

/**
 * The subset of the WHATWG `WebSocket` interface chainstream uses; `ws`'s `WebSocket`, the global one of
 * browsers, Deno, Bun and Node ≥ 22, and test doubles all satisfy it. Only the `on…` handler properties
 * are used (never `addEventListener` or `ws`'s `.on`), so any of them works.
 */
export interface WebSocketLike {
  readonly readyState: number
  readonly bufferedAmount?: number
  /** Sends a text message. */
  send(data: string): void
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void
  onopen: WebSocketEventHandler<unknown>
  /** `data` is a string for text frames; `ArrayBuffer`, a `Uint8Array` view (`ws`'s `Buffer`) for binary ones. */
  onmessage: WebSocketEventHandler<{ data: unknown }>
  onerror: WebSocketEventHandler<unknown>
  onclose: WebSocketEventHandler<{ code: number; reason: string; wasClean?: boolean }>
}

/** A WebSocket constructor. The third argument (options with `headers`) is understood by `ws` only. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike

/**
 * Application-level keepalive, supplied by the provider: a ping message sent every `intervalMs`, and how
 * to recognise its answer. No answer and no other message within `timeoutMs` → the connection fails with
 * `PongTimeout` (this is what detects a half-open socket). Other messages keep the ping waiting rather
 * than failing it: the answer travels behind what the server sent before it, and a client working through
 * a backlog reads it late — the socket is alive as long as messages keep arriving.
 */
export interface WebSocketKeepalive {
  intervalMs: number
  timeoutMs: number
  /** Builds the next ping message. */
  ping: () => string
  /**
   * Is this incoming message the answer to the outstanding ping (`ping`, the message that was sent)? Only
   * called while a ping is outstanding. Match the ping's id where the protocol has one: an answer to
   * another ping is no proof that this socket is alive.
   */
  isPong: (data: string, ping: string) => boolean
}

/** Options of {@link openWebSocket}. */
export interface WebSocketConnectOptions {
  url: string
  /** Request headers for the upgrade (honoured by `ws`; browsers cannot send them). */
  headers?: Record<string, string>
  protocols?: string | string[]
  /** The implementation. @default `ws` on Node, the global `WebSocket` in browsers and workers */
  WebSocket?: WebSocketConstructor
  /** The upgrade must complete within this time, else `OpenTimeout`; `0` disables the limit. @default 30_000 */
  openTimeoutMs?: number
  /** Application keepalive; omit to disable. */
  keepalive?: WebSocketKeepalive
  /** Largest accepted message in bytes (characters for text frames); larger → `EventTooLarge`. @default 8 MiB */
  maxMessageSize?: number
  signal?: AbortSignal
  /**
   * Every message, in order, as text (binary frames are decoded as UTF-8); keepalive pongs included.
   * Runs synchronously on the socket's event loop turn: keep it cheap. If it throws, the connection
   * ends with that error.
   */
  onMessage: (data: string) => void
  /** Called with the byte count of every message (for counters). */
  onBytes?: (count: number) => void
}

/** Why a WebSocket connection ended. */
export type WebSocketCloseReason =
  | { kind: 'closed-by-server'; code: number; reason: string; error: ChainstreamError }
  | { kind: 'error'; error: ChainstreamError; code?: number; reason?: string }
  | { kind: 'closed' }

/** A WebSocket connection, returned at once by {@link openWebSocket}; `opened` says when it is usable. */
export interface WebSocketConnection {
  /**
   * Resolves when the upgrade completed; rejects with a typed error (`OpenTimeout`, `Aborted`,
   * `ConnectionClosed`, or an HTTP error when the server refused the upgrade with a status).
   */
  readonly opened: Promise<void>
  /**
   * Sends a text message. Messages sent while the socket is still opening are queued and flushed in
   * order on open; after close this throws a `Closed` error.
   */
  send(data: string): void
  /** Settles once when the socket is gone; never rejects. */
  readonly closed: Promise<WebSocketCloseReason>
  /** Closes the socket (idempotent). @default code 1000 */
  close(code?: number, reason?: string): void
}
