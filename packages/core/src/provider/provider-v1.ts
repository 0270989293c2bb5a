import type { ChainstreamError } from '../errors/chainstream-error.js'
import type { FetchLike } from '../sse/sse-transport-types.js'
import type { SseMessage } from '../sse/sse-types.js'
import type { Logger } from '../util/logger.js'
import type { WebSocketConstructor, WebSocketKeepalive } from '../websocket/websocket-types.js'
import type { ProviderTransports } from './stream-transport.js'

/**
 * The provider contract, version 1.
 *
 * A provider is a codec and a policy; the core owns the connection **and the subscription**. The engine
 * keeps the desired subscription (`TSubscription`, opaque to it), its version, and the promise of every
 * change ("resolved when the server has it"). On every (re)connect it calls, in this order:
 *
 * 1. {@link StreamProviderV1.open} — what to connect to for the current subscription (an SSE request whose
 *    body carries it, or a WebSocket URL);
 * 2. {@link StreamProviderV1.subscribe} — how the fresh connection becomes subscribed: at once, on the
 *    server's own acknowledgement frame, or by sending requests whose responses are the acknowledgement.
 *    The engine sets state `subscribed` the moment the acknowledgement is decoded, before any notification
 *    behind it is dispatched;
 * 3. {@link StreamProviderV1.recover} — snapshots and backfill for what the stream may have missed.
 *
 * A change made while a connection is live goes through {@link StreamProviderV1.change}: frames to send
 * and answers to wait for, or "this needs a reconnect". The provider keeps no reference to the engine.
 *
 * Inbound frames go through {@link StreamProviderV1.decode}, errors through
 * {@link StreamProviderV1.classifyError}. Everything here runs on the engine's single connection loop, so a
 * provider never sees two connections of one stream at once.
 */
export interface StreamProviderV1<TEvent, TSubscription = undefined> {
  readonly specificationVersion: 'v1'
  /** A short stable name for logs and errors (`'toncenter'`). */
  readonly providerId: string
  /**
   * The transports that open what {@link StreamProviderV1.open} asks for, by kind:
   * `{ sse: sseTransport }` for an SSE-only provider, `{ sse: sseTransport, websocket: webSocketTransport }`
   * for one that offers both. The engine bundles none itself, so an app ships only the ones its providers
   * list. A request whose kind is missing here fails the stream with `InvalidArgument`.
   */
  readonly transports: ProviderTransports
  /**
   * Where to connect. Called before every attempt with the subscription as it is now, so it may rotate
   * keys (`context.lastError` says why the previous attempt ended) and put the subscription into the
   * request (SSE). Throwing fails the attempt (typed errors keep their `isRetryable`).
   */
  open(context: ConnectContext, subscription: TSubscription): ConnectRequest
  /**
   * How a freshly opened connection becomes subscribed to `subscription` (the one `open` was given).
   * Omitted: subscribed as soon as the connection is open.
   */
  subscribe?(subscription: TSubscription, session: ProviderSession<TEvent>): SubscribePlan
  /**
   * How to move a live, subscribed connection from the subscription the server has to the desired one:
   * requests to send (each answered by a `response` with its id), nothing to do, or a reconnect (SSE, or a
   * change the protocol cannot make in place). Omitted: every change reconnects.
   */
  change?(from: TSubscription, to: TSubscription, session: ProviderSession<TEvent>): ChangePlan
  /**
   * Called synchronously when a connection became subscribed (before any event behind the acknowledgement
   * is dispatched), and after a live change was acknowledged (`previous` set). For bookkeeping such as
   * "this key works" or "these accounts start being followed now".
   */
  subscribed?(subscription: TSubscription, session: ProviderSession<TEvent>, previous?: TSubscription): void
  /**
   * Called after every successful subscribe (first connect included, `context.reconnect` tells) to fetch
   * snapshots/backfill and deliver them through `session.emit`. Errors are reported as `error` events and
   * do not tear the connection down. Work that must last as long as the connection (periodic re-checks)
   * stops when `context.signal` aborts.
   */
  recover?(session: ProviderSession<TEvent>, context: RecoverContext<TSubscription>): Promise<void>
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

/** A message that expects an answer: the `response` decoded with the same `id`. */
export interface OutboundRequest {
  readonly id: string
  readonly data: string
}

/** How a fresh connection becomes subscribed. */
export type SubscribePlan =
  /** Subscribed as soon as the connection is open (nothing to acknowledge). */
  | { readonly kind: 'open' }
  /** The server acknowledges by itself with a frame decoded as `subscribed` (SSE `connected`, Venum `ready`). */
  | { readonly kind: 'ack' }
  /** Send these; their successful responses are the acknowledgement (an error response fails the attempt). */
  | { readonly kind: 'requests'; readonly requests: readonly OutboundRequest[] }

/** How a change reaches a live connection. */
export type ChangePlan =
  /** The server already has it (e.g. only a client-side filter changed). */
  | { readonly kind: 'none' }
  /** Send these in order; the change is applied when every response arrived without an error. */
  | { readonly kind: 'requests'; readonly requests: readonly OutboundRequest[] }
  /** Reconnect: the next connection opens with the new subscription (recovery covers the moment between). */
  | { readonly kind: 'reconnect'; readonly reason: string }

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
export interface RecoverContext<TSubscription = unknown> {
  /** The subscription this connection subscribed with. */
  readonly subscription: TSubscription
  /** `false` on the first connection of the stream, `true` after a reconnect. */
  readonly reconnect: boolean
  /** When the last event was delivered before this connection (epoch ms), if any was. */
  readonly lastEventAt?: number
  /** Aborted when the connection this recovery belongs to ends. */
  readonly signal: AbortSignal
}

/** Where an event handed to {@link ProviderSession.emit} comes from. @default 'recovered' */
export type EmitOrigin = 'recovered' | 'reconciled'

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
  /**
   * Delivers an event produced outside the socket through the normal path: `'recovered'` (backfill and
   * snapshots after a (re)connect, counted in `counters.backfilled`) or `'reconciled'` (found by a periodic
   * comparison with the server's history, counted in `counters.reconciled`). Ignored once the connection
   * has ended.
   */
  emit(event: TEvent, origin?: EmitOrigin): void
  /** Reports a non-fatal anomaly. */
  diagnostic(diagnostic: Diagnostic): void
  /**
   * Hands the core work this connection started in the background (periodic re-checks, look-ups started
   * by a subscription change). The work must end when {@link ProviderSession.signal} aborts; the stream's
   * `close()` resolves only once it has, so that nothing of a closed stream is still running — no request,
   * no timer. Its outcome is the provider's to report: a rejection is ignored here.
   */
  track(work: Promise<unknown>): void
  /** The stream's logger. */
  readonly logger: Logger
}
