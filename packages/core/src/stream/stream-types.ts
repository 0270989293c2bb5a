import type { ChainstreamError } from '../errors/chainstream-error.js'
import type { Diagnostic, ProviderSession, StreamProviderV1 } from '../provider/provider-v1.js'
import type { ReconnectPolicy } from '../reconnect/backoff.js'
import type { Logger } from '../util/logger.js'
import type { BufferOptions } from './bounded-queue.js'

/**
 * Where a stream's connection is:
 * `idle` (created, not started) → `connecting` → `subscribed` ⇄ `reconnecting` → `closed` (terminal).
 */
export type ConnectionState = 'idle' | 'connecting' | 'subscribed' | 'reconnecting' | 'closed'

/** Counters readable at any time through `stream.counters` (a fresh snapshot each read). */
export interface StreamCounters {
  /** Events delivered (live and recovered). */
  events: number
  /** Events delivered by recovery (backfill/snapshots) — a subset of `events`. */
  backfilled: number
  /**
   * Events the live stream never delivered that a periodic reconciliation with the server's history found
   * (for example notifications a server dropped for a slow client) — a subset of `events`.
   */
  reconciled: number
  /** Bytes received from the server. */
  bytes: number
  /** Successful connections (the first one included). */
  connects: number
  /** Reconnect attempts started. */
  reconnects: number
  /** Events dropped by the `dropOldest` buffer policy. */
  dropped: number
  /** Errors reported through the `error` event. */
  errors: number
  /** Diagnostics reported. */
  diagnostics: number
  /** When the last event was delivered (epoch ms). */
  lastEventAt: number | undefined
  /** When the current connection became subscribed (epoch ms); undefined while not subscribed. */
  subscribedAt: number | undefined
}

/** Information about a scheduled reconnect. */
export interface ReconnectInfo {
  /** Consecutive failed attempts so far (1 for the first reconnect after a healthy connection). */
  attempt: number
  /** How long the stream waits before connecting again. */
  delayMs: number
  /** Why the previous connection ended. */
  error: ChainstreamError
}

/** Listener signatures of a {@link ChainStream}. */
export interface ChainStreamEvents<TEvent, TSubscription = undefined> {
  /** Every event, live or recovered. */
  event: (event: TEvent) => void
  /** Every connection state change. */
  state: (state: ConnectionState, previous: ConnectionState) => void
  /**
   * Non-fatal problems: a dropped connection about to be retried, a failed recovery, an exception thrown by
   * one of your listeners. The stream carries on. Fatal errors arrive through `close`.
   */
  error: (error: ChainstreamError) => void
  /** Anomalies that are not errors (unknown event types, stale snapshots). */
  diagnostic: (diagnostic: Diagnostic) => void
  /** A reconnect was scheduled. */
  reconnect: (info: ReconnectInfo) => void
  /**
   * The server has a new subscription (a connection was acknowledged, or a change was): emitted
   * synchronously, before any event behind the acknowledgement is delivered.
   */
  applied: (subscription: TSubscription) => void
  /** The stream ended; `error` is set when it ended because of a fatal error. */
  close: (error: ChainstreamError | undefined) => void
}

/** Options of {@link createStreamEngine}. */
export interface StreamEngineOptions<TEvent, TSubscription = undefined> {
  /** The protocol codec and policy. */
  provider: StreamProviderV1<TEvent, TSubscription>
  /** The initial subscription (opaque to the engine; the provider reads it). */
  subscription?: TSubscription
  /** Reconnect policy overrides, or `false` to end the stream at the first drop. */
  reconnect?: Partial<ReconnectPolicy> | false
  /** SSE: no bytes for this long → reconnect. `0` disables. @default 45_000 */
  heartbeatTimeoutMs?: number
  /** Opening a connection (HTTP headers or WebSocket upgrade) may take this long. @default 30_000 */
  openTimeoutMs?: number
  /** The provider's subscribe step may take this long. @default 30_000 */
  subscribeTimeoutMs?: number
  /** Largest accepted event in bytes. @default 8 MiB */
  maxEventSize?: number
  /** The buffer of each `for await` consumer. */
  buffer?: BufferOptions
  /** Aborting closes the stream. */
  signal?: AbortSignal
  /** Where debug output goes. @default silent */
  logger?: Logger
  /** Random source for the jitter (tests pin it). @default Math.random */
  random?: () => number
  /** Start connecting at once. @default true */
  autoStart?: boolean
}

/**
 * A live stream: typed events as callbacks and as an `AsyncIterable`, connection state, counters.
 * Reconnects by itself; ends only when closed, aborted, or on a fatal error.
 */
export interface ChainStream<TEvent, TSubscription = undefined> extends AsyncIterable<TEvent> {
  /** The current connection state. */
  readonly state: ConnectionState
  /** The desired subscription: what every (re)connect subscribes with. */
  readonly subscription: TSubscription
  /**
   * Changes the subscription and resolves once the server has it (or a later change). `change` maps the
   * current desired subscription to the next one and may throw to refuse it (nothing is changed then).
   * Applied exactly once whenever it is called — before the first connection, while connecting, inside
   * an event handler, during a reconnect, or concurrently with other changes: on a live connection
   * through the provider's {@link StreamProviderV1.change} plan, otherwise by the next connection.
   * Rejects with the server's refusal (the previous subscription stays), or when the stream closes first.
   */
  update(change: (current: TSubscription) => TSubscription): Promise<void>
  /** A snapshot of the counters. */
  readonly counters: StreamCounters
  /** The fatal error that closed the stream, if one did. */
  readonly error: ChainstreamError | undefined
  /** Resolves when the stream has closed (with the fatal error, if any); never rejects. */
  readonly closed: Promise<ChainstreamError | undefined>
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ChainStreamEvents<TEvent, TSubscription>>(
    event: K,
    listener: ChainStreamEvents<TEvent, TSubscription>[K],
  ): () => void
  /** Removes a listener. */
  off<K extends keyof ChainStreamEvents<TEvent, TSubscription>>(
    event: K,
    listener: ChainStreamEvents<TEvent, TSubscription>[K],
  ): void
  /**
   * Resolves once the stream is subscribed (at once if it is). Rejects with `SubscribeTimeout` after
   * `timeoutMs`, with `Aborted` when `signal` fires, and with the fatal error (or `Closed`) if the stream ends.
   */
  waitSubscribed(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void>
  /** Starts connecting (only needed with `autoStart: false`). */
  start(): void
  /**
   * Drops the current connection and connects again at once — no backoff, not counted as a failure.
   * Several calls before the new connection is up cause one reconnect.
   */
  restart(reason?: string): void
  /** The provider's view of the live connection, while there is one. */
  readonly session: ProviderSession<TEvent> | undefined
  /** Closes the connection and ends every iterator; resolves when the socket is closed. Idempotent. */
  close(): Promise<void>
}
