import type {
  ChainStream,
  ChainStreamEvents,
  ChainstreamError,
  ConnectionState,
  FetchLike,
  Logger,
  ReconnectPolicy,
  StreamCounters,
  WebSocketConstructor,
} from '@chainstream/core'
import { createStreamEngine } from '@chainstream/core/provider'
import type { HandlerFilter, TonEventHandler } from './handler-filters.js'
import { HubConsumer } from './hub/hub-consumer.js'
import { TonHub } from './hub/ton-hub.js'
import { KeyPool, type KeyRing } from './key-pool.js'
import type { TonEventType } from './protocol/event-types.js'
import {
  resolveTonSubscription,
  type TonSubscription,
  type TonSubscriptionChange,
} from './protocol/subscription.js'
import { GapRecovery } from './recovery/gap-recovery.js'
import type { V3Client } from './recovery/v3-client.js'
import {
  type ResolvedConnectionOptions,
  splitStreamOptions,
  type TonStreamOptions,
} from './stream-options.js'
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
 * Provider packages (TON Center, TonAPI) build one and call {@link createTonStreams}.
 */
export interface TonServiceProfile {
  /** Stable id for logs (`'toncenter'`). */
  providerId: string
  /** Name for messages (`'TON Center'`). */
  providerName: string
  sseUrl: string
  wsUrl: string
  /** API keys, in order (or the client's shared ring); several rotate on `connection limit reached`. */
  keys: readonly string[] | KeyRing
  auth: TonAuth
  headers?: Record<string, string> | undefined
  fetch?: FetchLike | undefined
  WebSocket?: WebSocketConstructor | undefined
  /** Where recovery reads from; undefined disables it (with a diagnostic when the stream asked for it). */
  recoverySource?: V3Client | undefined
  logger?: Logger | undefined
}

/**
 * Opens a TON stream on a service, on a connection of its own (nothing shared). Validates everything
 * first (addresses, subscription rules, options), so a mistake throws before any request.
 *
 * @throws {ChainstreamError} `InvalidArgument` or `InvalidSubscription`.
 */
export function createTonStream(profile: TonServiceProfile, options: TonStreamOptions): TonStream {
  return createTonStreams(profile).stream({ ...options, shared: false })
}

/** Where a shared stream may ride, beyond the connection of exactly its own settings. */
export interface TonStreamPlacement {
  /**
   * Ride any open shared connection of the same transport that recovers, whatever its timings — the
   * connection an application's stream already holds — rather than open one of the default settings
   * beside it. For a consumer with no connection settings of its own (the tracker's lifecycle source):
   * per-key connection limits (two for TonAPI) make a second connection a cost. When none is open, a
   * connection of the stream's own settings is opened, as without this.
   */
  readonly anyConnection?: boolean
}

/** The streams of one client: `stream()` over shared connections, and `close()` of them all. */
export interface TonStreams {
  /** Opens a stream; by default on the client's shared connection for its transport and settings. */
  stream(options: TonStreamOptions, placement?: TonStreamPlacement): TonStream
  /** How many upstream connections the client holds now (open or being opened). */
  readonly connections: number
  /** Closes every connection of the client; their streams end without an error. */
  close(): Promise<void>
}

/**
 * The stream factory of one client: every `stream()` (and the tracker's lifecycle source, and Node-RED
 * nodes) rides one upstream connection per transport and connection settings — per-key connection
 * limits make sharing the normal case. `shared: false` opens a connection of its own.
 */
export function createTonStreams(profile: TonServiceProfile): TonStreams {
  const hubs = new Map<string, TonHub>()
  /** What a shared connection offers a stream that may ride any (see {@link TonStreamPlacement}). */
  const adoptable = new Map<TonHub, { transport: string; loggerId: number }>()
  const loggers = new WeakMap<Logger, number>()
  let nextLogger = 0
  const loggerId = (logger: Logger | undefined) => {
    if (!logger) return 0
    let id = loggers.get(logger)
    if (id === undefined) {
      id = ++nextLogger
      loggers.set(logger, id)
    }
    return id
  }
  const all = new Set<TonHub>()
  return {
    stream(options, placement) {
      const { subscription: subscriptionOptions, connection } = splitStreamOptions(options)
      const subscription = resolveTonSubscription(subscriptionOptions)
      const logger = options.logger ?? profile.logger
      const upstream = (union: TonSubscription) =>
        openUpstream(profile, connection, union, {
          logger,
          reconnect: options.reconnect as Partial<ReconnectPolicy> | false | undefined,
          maxEventSize: options.maxEventSize,
        })
      let hub: TonHub
      if (connection.shared) {
        // Streams share a connection only when everything about the connection is the same.
        const key = JSON.stringify([
          connection,
          options.reconnect ?? null,
          options.maxEventSize ?? null,
          loggerId(logger),
        ])
        let found = hubs.get(key)
        if (!found && placement?.anyConnection) {
          for (const [candidate, traits] of adoptable) {
            if (traits.transport === connection.transport && traits.loggerId === loggerId(logger)) {
              found = candidate
              break
            }
          }
        }
        if (!found) {
          const made = new TonHub(upstream, (idle) => {
            if (hubs.get(key) === idle) hubs.delete(key)
            all.delete(idle)
            adoptable.delete(idle)
          })
          hubs.set(key, made)
          all.add(made)
          // Not one that would fail its riders: recovery off, no reconnects, or a size limit of its own.
          if (
            connection.recovery !== undefined &&
            !connection.keepAllSnapshots &&
            options.reconnect !== false &&
            options.maxEventSize === undefined
          ) {
            adoptable.set(made, { transport: connection.transport, loggerId: loggerId(logger) })
          }
          found = made
        }
        hub = found
      } else {
        hub = new TonHub(upstream, (idle) => all.delete(idle))
        all.add(hub)
      }
      const consumer = new HubConsumer(hub, subscription, {
        transport: connection.transport,
        buffer: options.buffer,
        signal: options.signal,
      })
      if (options.autoStart !== false && !options.signal?.aborted) consumer.start()
      else if (options.signal?.aborted) void consumer.close()
      return consumer
    },
    get connections() {
      let count = 0
      for (const hub of all) if (hub.state !== 'idle' && hub.state !== 'closed') count++
      return count
    },
    async close() {
      const open = [...all]
      all.clear()
      hubs.clear()
      adoptable.clear()
      await Promise.all(open.map((hub) => hub.close()))
    },
  }
}

/** One upstream connection: the engine over a TON provider, not started. */
function openUpstream(
  profile: TonServiceProfile,
  connection: ResolvedConnectionOptions,
  subscription: TonSubscription,
  extra: {
    logger: Logger | undefined
    reconnect: Partial<ReconnectPolicy> | false | undefined
    maxEventSize: number | undefined
  },
): ChainStream<TonEvent, TonSubscription> {
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
  const engine = createStreamEngine<TonEvent, TonSubscription>({
    provider,
    subscription,
    heartbeatTimeoutMs: connection.transport === 'sse' ? connection.heartbeatTimeoutMs : 0,
    openTimeoutMs: connection.openTimeoutMs,
    subscribeTimeoutMs: connection.subscribeTimeoutMs,
    autoStart: false,
    // The consumers buffer for their own `for await`; the upstream has no iterator of its own.
    ...(extra.reconnect !== undefined ? { reconnect: extra.reconnect } : {}),
    ...(extra.maxEventSize !== undefined ? { maxEventSize: extra.maxEventSize } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
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
  return engine
}
