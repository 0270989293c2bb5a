import { type BufferOptions, ChainstreamError, type Logger, type ReconnectPolicy } from '@chainstream/core'
import {
  boolean,
  type Check,
  type Checked,
  custom,
  falseOrObject,
  finiteNumber,
  integer,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  recordOf,
} from '@chainstream/core/provider'
import type { TonSubscriptionOptions } from './protocol/subscription.js'
import type { ReconcileOptions, RecoveryTuning, ResolvedRecovery } from './recovery/gap-recovery.js'

/** Options of `stream()`: the subscription, plus how the stream connects and recovers. */
export interface TonStreamOptions extends TonSubscriptionOptions {
  /** @default 'sse' */
  transport?: 'sse' | 'websocket'
  /**
   * Ride the client's shared connection for this transport and these connection settings (with every
   * other stream, the tracker's lifecycle source and Node-RED nodes of the client), or open one of its own.
   * A shared connection subscribes to the union of what its streams ask; each stream still receives
   * exactly what it asked for. @default true
   */
  shared?: boolean
  /**
   * Recovery from TON Center API v3: after every (re)connect, a backfill of the gap and a re-check of the
   * traces held below `finalized`, which stay watched until they finalize or are invalidated. `'auto'`,
   * `'off'`, or `'auto'` with tuning.
   * @default 'auto'
   */
  recovery?: 'auto' | 'off' | RecoveryTuning
  /**
   * Opt-in periodic reconciliation with API v3 for address subscriptions: every `everyMs`, what the stream
   * delivered is compared with the accounts' recent history and what is missing is delivered with
   * `source: 'reconciled'` (counted in `counters.reconciled`). The protocol cannot tell a client that the
   * server dropped notifications because it read too slowly; this finds them. Needs recovery.
   * @default off
   */
  reconcile?: ReconcileOptions
  /** Deliver every snapshot, also repeats and lower finalities after higher ones. @default false */
  keepAllSnapshots?: boolean
  /** Reconnect policy overrides, or `false` to end the stream at the first drop. */
  reconnect?: Partial<ReconnectPolicy> | false
  /** SSE: silence (no event, no `: keepalive`) for this long means a dead connection. @default 45_000 */
  heartbeatTimeoutMs?: number
  /** WebSocket: a `ping` every this many ms (the server's docs recommend 15 s). `0` disables. @default 15_000 */
  pingIntervalMs?: number
  /**
   * WebSocket: a ping unanswered this long, with no other message meanwhile, means a half-open socket →
   * reconnect. @default 10_000
   */
  pongTimeoutMs?: number
  /** The server must acknowledge a subscription within this time. @default 30_000 */
  subscribeTimeoutMs?: number
  /** Opening a connection may take this long. @default 30_000 */
  openTimeoutMs?: number
  /**
   * With one key, how long `connection limit reached` answers are retried (the server holds a dropped
   * session for about a minute) before the stream fails with `ConnectionLimit`. @default 90_000
   */
  connectionLimitRetryMs?: number
  /** The buffer of each `for await` consumer. */
  buffer?: BufferOptions
  /** Largest accepted event in bytes. @default 8 MiB */
  maxEventSize?: number
  /** Aborting closes the stream. */
  signal?: AbortSignal
  /** Debug output. @default silent */
  logger?: Logger
  /** Start connecting at once. @default true */
  autoStart?: boolean
}

/** The options of a stream that make up its subscription (the rest is the stream's own). */
export const SUBSCRIPTION_KEYS: ReadonlySet<string> = new Set([
  'types',
  'addresses',
  'traceExternalHashNorms',
  'minFinality',
  'includeAddressBook',
  'includeMetadata',
  'actionTypes',
  'supportedActionTypes',
])

// A duration is finite, and only needs its lower bound.
const duration = optional(finiteNumber(0))
const int = (min: number, max?: number) => optional(integer(min, max))

const tuning = optionsObject({
  pageSize: int(1, 1000),
  maxPages: int(1),
  notFoundGraceMs: duration,
  concurrency: int(1, 32),
  horizonSeconds: optional(
    integer(
      1,
      undefined,
      'must be at least 1 (seconds a trace can stay unfinalized)',
      'must be a whole number of seconds',
    ),
  ),
  recheckIntervalMs: optional(finiteNumber(100, undefined, 'must be at least 100 ms')),
  maxWatchedTraces: optional(integer(1, undefined, 'must be at least 1')),
})
/** How a connection is kept: the same options for `stream()` and for the lifecycle source's stream. */
export const CONNECTION_CHECKS = {
  // Checked in detail by the engine.
  reconnect: optional(falseOrObject),
  heartbeatTimeoutMs: duration,
  pingIntervalMs: duration,
  pongTimeoutMs: optional(finiteNumber(1)),
  subscribeTimeoutMs: duration,
  openTimeoutMs: duration,
  connectionLimitRetryMs: duration,
}

/** A `logger` option: an object (its methods are looked up when used). */
export const LOGGER_CHECK = optional(
  custom<Logger>((value) => typeof value === 'object' && value !== null, 'expected a logger'),
)

const auto = oneOf(['auto', 'off'])
/** By the input's type rather than either-or, so a bad tuning field is named rather than "invalid input". */
const recovery: Check<'auto' | 'off' | Checked<typeof tuning>> = (value, path, issues) =>
  typeof value !== 'object' || value === null ? auto(value, path, issues) : tuning(value, path, issues)

const connection = optionsObject({
  transport: optional(oneOf(['sse', 'websocket'])),
  shared: optional(boolean()),
  recovery: optional(recovery),
  reconcile: optional(
    optionsObject(
      {
        everyMs: finiteNumber(100, undefined, 'must be at least 100 ms', 'must be a number of milliseconds'),
      },
      'must be an object like { everyMs: 30_000 }',
    ),
  ),
  keepAllSnapshots: optional(boolean()),
  ...CONNECTION_CHECKS,
  buffer: optional(recordOf()),
  maxEventSize: int(1),
  signal: optional(custom<AbortSignal>((value) => value instanceof AbortSignal, 'expected an AbortSignal')),
  logger: LOGGER_CHECK,
  autoStart: optional(boolean()),
})

/** The connection options, and what they need of each other once each is valid on its own. */
const connectionSchema: typeof connection = (value, path, issues) => {
  const options = connection(value, path, issues)
  if (issues.length === 0 && options.reconcile && options.recovery === 'off') {
    issues.push({
      path: [...path, 'reconcile'],
      message:
        "needs recovery (it reads API v3 through it and delivers through its finality bookkeeping); remove recovery: 'off'",
    })
  }
  return options
}

/** The connection options with defaults applied. */
export interface ResolvedConnectionOptions {
  transport: 'sse' | 'websocket'
  shared: boolean
  /** Recovery tuning with `reconcile`; undefined when recovery is off. */
  recovery: ResolvedRecovery | undefined
  keepAllSnapshots: boolean
  heartbeatTimeoutMs: number
  pingIntervalMs: number
  pongTimeoutMs: number
  subscribeTimeoutMs: number
  openTimeoutMs: number
  connectionLimitRetryMs: number
}

/**
 * Splits `stream()` options into the subscription part and the connection part, validating the latter
 * strictly (unknown keys are refused, so a typo never passes silently).
 *
 * @throws {ChainstreamError} `InvalidArgument` naming each bad option.
 */
export function splitStreamOptions(options: TonStreamOptions): {
  subscription: TonSubscriptionOptions
  connection: ResolvedConnectionOptions
} {
  if (typeof options !== 'object' || options === null) {
    throw new ChainstreamError('InvalidArgument', 'stream() needs an options object with at least types', {
      isRetryable: false,
    })
  }
  const subscription: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (SUBSCRIPTION_KEYS.has(key)) subscription[key] = value
    else rest[key] = value
  }
  const parsed = parseOptions(connectionSchema, rest, 'stream options')
  const tuning: RecoveryTuning | undefined =
    parsed.recovery === 'off'
      ? undefined
      : parsed.recovery === 'auto' || !parsed.recovery
        ? {}
        : (parsed.recovery as RecoveryTuning)
  const recovery: ResolvedRecovery | undefined =
    tuning && parsed.reconcile ? { ...tuning, reconcile: parsed.reconcile } : tuning
  return {
    subscription: subscription as unknown as TonSubscriptionOptions,
    connection: {
      transport: parsed.transport ?? 'sse',
      shared: parsed.shared ?? true,
      recovery,
      keepAllSnapshots: parsed.keepAllSnapshots ?? false,
      heartbeatTimeoutMs: parsed.heartbeatTimeoutMs ?? 45_000,
      pingIntervalMs: parsed.pingIntervalMs ?? 15_000,
      pongTimeoutMs: parsed.pongTimeoutMs ?? 10_000,
      subscribeTimeoutMs: parsed.subscribeTimeoutMs ?? 30_000,
      openTimeoutMs: parsed.openTimeoutMs ?? 30_000,
      connectionLimitRetryMs: parsed.connectionLimitRetryMs ?? 90_000,
    },
  }
}
