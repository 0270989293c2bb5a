import {
  type ChainStream,
  type ChainStreamEvents,
  ChainstreamError,
  type ConnectionState,
  createStreamEngine,
  type FetchLike,
  type Logger,
  type ReconnectPolicy,
  type StreamCounters,
  type WebSocketConstructor,
} from '@chainstream/core'
import {
  compileHandler,
  type HandlerFilter,
  isTonEventType,
  type TonEventHandler,
} from './handler-filters.js'
import { KeyPool } from './key-pool.js'
import type { TonEventType } from './protocol/event-types.js'
import {
  applySubscriptionChange,
  isIdleSubscription,
  removeFromSubscription,
  resolveTonSubscription,
  type TonSubscription,
  type TonSubscriptionChange,
} from './protocol/subscription.js'
import { GapRecovery } from './recovery/gap-recovery.js'
import type { V3Client } from './recovery/v3-client.js'
import { splitStreamOptions, type TonStreamOptions } from './stream-options.js'
import type { TonEvent } from './ton-event.js'
import { type TonAuth, TonProvider } from './ton-provider.js'

/** What can be changed with {@link TonStream.update} (replace semantics: given fields replace the old ones). */
export type TonStreamUpdate = Pick<
  TonSubscriptionChange,
  | 'addresses'
  | 'traceExternalHashNorms'
  | 'types'
  | 'minFinality'
  | 'actionTypes'
  | 'includeAddressBook'
  | 'includeMetadata'
  | 'supportedActionTypes'
>

/** What {@link TonStream.unsubscribe} removes. */
export interface TonUnsubscribe {
  addresses?: readonly string[]
  traceExternalHashNorms?: readonly string[]
}

/** Stream-level listeners (connection state, errors, diagnostics, …) and every event. */
export type TonStreamEvents = ChainStreamEvents<TonEvent>

/**
 * A live TON stream. Typed handlers per notification type (with their own filters), every event as an
 * `AsyncIterable`, connection state, counters, and dynamic subscription changes that survive reconnects.
 */
export interface TonStream extends AsyncIterable<TonEvent> {
  /** `idle` → `connecting` → `subscribed` ⇄ `reconnecting` → `closed`. */
  readonly state: ConnectionState
  /** A snapshot of the counters (events, backfilled, reconnects, …). */
  readonly counters: StreamCounters
  /** The subscription as it is now, normalised (addresses raw) — what every reconnect sends. */
  readonly subscription: TonSubscription
  /** The fatal error that closed the stream, if one did. */
  readonly error: ChainstreamError | undefined
  /** Resolves when the stream has closed (with the fatal error, if any); never rejects. */
  readonly closed: Promise<ChainstreamError | undefined>
  /**
   * Adds a handler for one notification type, optionally filtered; returns the function that removes it.
   * A handler without `minFinality` gets the stream's. Handlers never block reading the socket, and one
   * that throws is reported through `error` without stopping the stream.
   *
   * @throws {ChainstreamError} `InvalidArgument` for a filter that can never match (see {@link HandlerFilter}).
   * @example
   * ```ts
   * stream.on('actions', (event) => notify(event.actions), { actionTypes: ['jetton_transfer'] })
   * ```
   */
  on<K extends TonEventType>(type: K, handler: TonEventHandler<K>, filter?: HandlerFilter): () => void
  /** Adds a stream-level listener (`state`, `error`, `diagnostic`, `reconnect`, `close`, `event`). */
  on<K extends keyof TonStreamEvents>(event: K, listener: TonStreamEvents[K]): () => void
  /**
   * Changes the subscription (the given fields replace the old ones) and resolves once the server applied
   * it. WebSocket: in place, or through a transparent reconnect when an action filter is cleared. SSE: the
   * request is re-opened with the new body, and recovery covers the moment in between.
   *
   * @throws {ChainstreamError} `InvalidArgument`/`InvalidSubscription` before anything is sent, or the
   * server's refusal.
   */
  update(change: TonStreamUpdate): Promise<void>
  /** Removes addresses and/or trace hashes (never types) and resolves once the server applied it. */
  unsubscribe(remove: TonUnsubscribe): Promise<void>
  /** Resolves once subscribed (at once if it is); rejects on timeout, abort, or when the stream ends. */
  waitSubscribed(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void>
  /** Starts connecting (only needed with `autoStart: false`). */
  start(): void
  /** Closes the connection and ends every iterator. Idempotent. */
  close(): Promise<void>
}

/**
 * What a TON Streaming v2 service is: endpoints, authentication, keys and where recovery reads from.
 * Provider packages (TON Center, TonAPI) build one and call {@link createTonStream}.
 */
export interface TonServiceProfile {
  /** Stable id for logs (`'toncenter'`). */
  providerId: string
  /** Name for messages (`'TON Center'`). */
  providerName: string
  sseUrl: string
  wsUrl: string
  /** API keys, in order; several rotate on `connection limit reached`. */
  keys: readonly string[]
  auth: TonAuth
  headers?: Record<string, string> | undefined
  fetch?: FetchLike | undefined
  WebSocket?: WebSocketConstructor | undefined
  /** Where recovery reads from; undefined disables it (with a diagnostic when the stream asked for it). */
  recoverySource?: V3Client | undefined
  logger?: Logger | undefined
}

/**
 * Opens a TON stream on a service. Validates everything first (addresses, subscription rules, options),
 * so a mistake throws before any request.
 *
 * @throws {ChainstreamError} `InvalidArgument` or `InvalidSubscription`.
 */
export function createTonStream(profile: TonServiceProfile, options: TonStreamOptions): TonStream {
  const { subscription: subscriptionOptions, connection } = splitStreamOptions(options)
  const subscription = resolveTonSubscription(subscriptionOptions)
  const keys = new KeyPool({
    keys: profile.keys,
    connectionLimitRetryMs: connection.connectionLimitRetryMs,
    provider: profile.providerName,
  })
  const source = profile.recoverySource
  const tuning = connection.recovery
  const provider = new TonProvider({
    providerId: profile.providerId,
    providerName: profile.providerName,
    transport: connection.transport,
    sseUrl: profile.sseUrl,
    wsUrl: profile.wsUrl,
    keys,
    auth: profile.auth,
    headers: profile.headers ?? {},
    fetch: profile.fetch,
    WebSocket: profile.WebSocket,
    subscription,
    pingIntervalMs: connection.pingIntervalMs,
    pongTimeoutMs: connection.pongTimeoutMs,
    subscribeTimeoutMs: connection.subscribeTimeoutMs,
    keepAllSnapshots: connection.keepAllSnapshots,
    recovery: source && tuning ? (gate) => new GapRecovery(source, gate, tuning) : undefined,
  })
  const logger = options.logger ?? profile.logger
  const engine = createStreamEngine<TonEvent, TonSubscription>({
    provider,
    subscription,
    heartbeatTimeoutMs: connection.transport === 'sse' ? connection.heartbeatTimeoutMs : 0,
    openTimeoutMs: connection.openTimeoutMs,
    subscribeTimeoutMs: connection.subscribeTimeoutMs,
    autoStart: false,
    ...(options.reconnect !== undefined
      ? { reconnect: options.reconnect as Partial<ReconnectPolicy> | false }
      : {}),
    ...(options.buffer ? { buffer: options.buffer } : {}),
    ...(options.maxEventSize !== undefined ? { maxEventSize: options.maxEventSize } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(logger ? { logger } : {}),
  })
  const stream = new TonStreamFacade(engine, connection.transport)
  if (tuning && !source) {
    // Reported once subscribed, through the normal diagnostic path, rather than thrown: a stream without
    // recovery is still useful, and TonAPI users may have chosen it knowingly.
    const off = engine.on('state', (state) => {
      if (state !== 'subscribed') return
      off()
      engine.session?.diagnostic({
        code: 'recovery-unavailable',
        message: `${profile.providerName}: gap recovery needs TON Center API v3 (pass v3BaseUrl or a TON Center key); events missed while reconnecting are not recovered`,
      })
    })
  }
  if (options.autoStart !== false && !options.signal?.aborted) engine.start()
  return stream
}

class TonStreamFacade implements TonStream {
  constructor(
    private readonly engine: ChainStream<TonEvent, TonSubscription>,
    private readonly transport: 'sse' | 'websocket',
  ) {}

  get state(): ConnectionState {
    return this.engine.state
  }

  get counters(): StreamCounters {
    return this.engine.counters
  }

  get subscription(): TonSubscription {
    return this.engine.subscription
  }

  get error(): ChainstreamError | undefined {
    return this.engine.error
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.engine.closed
  }

  on<K extends TonEventType>(type: K, handler: TonEventHandler<K>, filter?: HandlerFilter): () => void
  on<K extends keyof TonStreamEvents>(event: K, listener: TonStreamEvents[K]): () => void
  on(name: string, listener: (...args: never[]) => unknown, filter?: HandlerFilter): () => void {
    if (isTonEventType(name)) {
      const compiled = compileHandler(
        name,
        listener as TonEventHandler<typeof name>,
        filter,
        this.engine.subscription.minFinality,
      )
      // One engine listener per handler: the engine isolates and reports each one's exceptions.
      return this.engine.on('event', (event) => compiled(event, this.engine.subscription.minFinality))
    }
    return this.engine.on(name as keyof TonStreamEvents, listener as TonStreamEvents[keyof TonStreamEvents])
  }

  update(change: TonStreamUpdate): Promise<void> {
    return this.engine.update((current) => applySubscriptionChange(current, change))
  }

  unsubscribe(remove: TonUnsubscribe): Promise<void> {
    return this.engine.update((current) => {
      const next = removeFromSubscription(current, remove)
      if (this.transport === 'sse' && isIdleSubscription(next)) {
        throw new ChainstreamError(
          'InvalidSubscription',
          'This unsubscribe would leave nothing to stream, and an SSE stream cannot exist without a subscription: close() the stream instead, or update() it with new addresses or traces',
          { isRetryable: false },
        )
      }
      return next
    })
  }

  waitSubscribed(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void> {
    return this.engine.waitSubscribed(options)
  }

  start(): void {
    this.engine.start()
  }

  close(): Promise<void> {
    return this.engine.close()
  }

  [Symbol.asyncIterator](): AsyncIterator<TonEvent> {
    return this.engine[Symbol.asyncIterator]()
  }
}
