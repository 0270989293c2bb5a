import type { ChainstreamError } from '../errors/chainstream-error.js'
import type { FetchLike } from '../sse/sse-transport-types.js'
import type { SseMessage } from '../sse/sse-types.js'
import type { Logger } from '../util/logger.js'
import type { WebSocketConstructor, WebSocketKeepalive } from '../websocket/websocket-types.js'

/**
 * The provider contract, version 1.
 *
 * A provider is a codec and a policy; the core owns the connection. On every (re)connect the stream
 * engine calls, in this order:
 *
 * 1. {@link StreamProviderV1.open} — what to connect to (an SSE request or a WebSocket URL);
 * 2. {@link StreamProviderV1.subscribe} — make the subscription live (send frames and await an ack, or
 *    wait for the server's "subscribed" frame); resolving means *subscribed*;
 * 3. {@link StreamProviderV1.recover} — snapshots and backfill for what the stream may have missed.
 *
 * Inbound frames go through {@link StreamProviderV1.decode}, errors through
 * {@link StreamProviderV1.classifyError}. Everything here runs on the engine's single connection loop, so a
 * provider never sees two connections of one stream at once.
 */
export interface StreamProviderV1<TEvent> {
  readonly specificationVersion: 'v1'
  /** A short stable name for logs and errors (`'toncenter'`). */
  readonly providerId: string
  /**
   * Where to connect. Called before every attempt, so it may rotate keys (`context.lastError` says why the
   * previous attempt ended) and must reflect the *current* subscription.
   */
  open(context: ConnectContext): ConnectRequest
  /**
   * Makes the subscription live on a freshly opened connection and resolves when the server acknowledged
   * it. Rejecting fails this attempt (retried or fatal per {@link StreamProviderV1.classifyError}).
   * Omitted: the stream counts as subscribed as soon as the connection is open.
   */
  subscribe?(session: ProviderSession<TEvent>): Promise<void>
  /**
   * Called after every successful subscribe (first connect included, `context.reconnect` tells) to fetch
   * snapshots/backfill and deliver them through `session.emit`. Errors are reported as `error` events and
   * do not tear the connection down.
   */
  recover?(session: ProviderSession<TEvent>, context: RecoverContext): Promise<void>
  /** Turns one inbound frame into what it means. Must not throw: return a `diagnostic` instead. */
  decode(frame: InboundFrame, session: ProviderSession<TEvent>): Decoded<TEvent> | readonly Decoded<TEvent>[]
  /**
   * Decides how an error ends an attempt: return it (re-classified if needed) with `isRetryable` set.
   * Omitted: the error's own `isRetryable` decides.
   */
  classifyError?(error: ChainstreamError, context: ConnectContext): ChainstreamError
  /**
   * Called when the server ended the connection cleanly. Return `true` when that means the stream is
   * complete (Venum closes a stream after every signature reached its end) — the stream then closes
   * without reconnecting. Omitted or `false`: a clean end is a drop and is reconnected.
   */
  isComplete?(): boolean
  /** WebSocket keepalive (ping message and how to recognise the pong). */
  keepalive?: WebSocketKeepalive
}

/** What the engine knows when it asks for a connection. */
export interface ConnectContext {
  /** 0 for the first connection of this stream, then 1, 2, … for every reconnect attempt. */
  readonly attempt: number
  /** Attempts since the last healthy connection. */
  readonly consecutiveFailures: number
  /** Why the previous connection or attempt ended, if it did. */
  readonly lastError?: ChainstreamError
  /** When the stream first saw a failure in the current run of failures (epoch ms). */
  readonly failingSince?: number
}

/** An SSE request the engine should open. */
export interface SseConnectRequest {
  readonly transport: 'sse'
  readonly url: string
  readonly method?: 'GET' | 'POST'
  readonly headers?: Record<string, string>
  readonly body?: unknown
  readonly fetch?: FetchLike
}

/** A WebSocket the engine should open. */
export interface WebSocketConnectRequest {
  readonly transport: 'websocket'
  readonly url: string
  readonly headers?: Record<string, string>
  readonly protocols?: string | string[]
  readonly WebSocket?: WebSocketConstructor
}

/** One of the two transports. */
export type ConnectRequest = SseConnectRequest | WebSocketConnectRequest

/** A frame as it arrived: an SSE event, or a WebSocket text message. */
export type InboundFrame =
  | { readonly transport: 'sse'; readonly message: SseMessage }
  | {
      readonly transport: 'websocket'
      readonly data: string
    }

/** What a frame means. */
export type Decoded<TEvent> =
  /** A notification for the user. */
  | { readonly kind: 'event'; readonly event: TEvent }
  /** The server acknowledged the subscription (SSE `connected`, Venum `ready`). */
  | { readonly kind: 'subscribed'; readonly id?: string; readonly data?: unknown }
  /** An answer to a request sent with {@link ProviderSession.request}, matched by `id`. */
  | {
      readonly kind: 'response'
      readonly id: string
      readonly error?: ChainstreamError
      readonly data?: unknown
    }
  /** A liveness signal with no content (it already fed the watchdog by arriving). */
  | { readonly kind: 'heartbeat' }
  /** The server reported an error on the open stream: retryable ones reconnect, others end the stream. */
  | { readonly kind: 'error'; readonly error: ChainstreamError }
  /** Something unexpected but harmless (an unknown event type, a malformed frame); reported, never fatal. */
  | { readonly kind: 'diagnostic'; readonly diagnostic: Diagnostic }
  /** Nothing to do. */
  | { readonly kind: 'ignore' }

/** A non-fatal anomaly, reported through the stream's `diagnostic` event. */
export interface Diagnostic {
  /** A stable short code (`unknown-event-type`, `tier-regression`, …). */
  readonly code: string
  readonly message: string
  readonly data?: unknown
}

/** What recovery knows about the gap. */
export interface RecoverContext {
  /** `false` on the first connection of the stream, `true` after a reconnect. */
  readonly reconnect: boolean
  /** When the last event was delivered before this connection (epoch ms), if any was. */
  readonly lastEventAt?: number
  /** Aborted when the connection this recovery belongs to ends. */
  readonly signal: AbortSignal
}

/** The live connection as a provider sees it. Valid for one connection only. */
export interface ProviderSession<TEvent> {
  /** Which transport this connection uses. */
  readonly transport: 'sse' | 'websocket'
  /** Aborted when this connection ends. */
  readonly signal: AbortSignal
  /** Sends a raw message (WebSocket only; throws `InvalidArgument` on SSE). */
  send(data: string): void
  /**
   * Sends a message and resolves with the `response` decoded for `id` (rejects with its `error`, with
   * `RequestTimeout` after `timeoutMs`, or when the connection ends).
   */
  request(data: string, id: string, options?: { timeoutMs?: number }): Promise<unknown>
  /** Resolves on the next `subscribed` frame (rejects with `SubscribeTimeout` after `timeoutMs`). */
  waitForSubscribed(options?: { timeoutMs?: number }): Promise<unknown>
  /** Delivers an event produced outside the socket (backfill, snapshots) through the normal path. */
  emit(event: TEvent): void
  /** Reports a non-fatal anomaly. */
  diagnostic(diagnostic: Diagnostic): void
  /** The stream's logger. */
  readonly logger: Logger
}
