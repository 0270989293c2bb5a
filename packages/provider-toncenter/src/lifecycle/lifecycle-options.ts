import type { Logger, ReconnectPolicy } from '@chainstream/core'
import {
  finiteNumber,
  integer,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  resolveReconnectPolicy,
} from '@chainstream/core/provider'
import { CONNECTION_CHECKS, LOGGER_CHECK } from '../stream-options.js'

/**
 * Options of the TON lifecycle source (`createToncenter({ lifecycle })`, `createTonapi({ lifecycle })`):
 * how the one multiplexed stream of a tracker connects, and how tracked traces are re-checked.
 */
export interface TonLifecycleOptions {
  /**
   * `websocket` changes the set of traces in place as tracks start and end; `sse` re-opens the request
   * with the new set (a short gap, covered by a snapshot, and on hosted servers a session that counts
   * against the key's connection limit for about a minute). @default 'websocket'
   */
  transport?: 'websocket' | 'sse'
  /**
   * Adds and removes arriving within this window are sent as one subscription change. `0` batches
   * everything added in the same turn of the event loop. Removals of ended tracks may wait up to a second
   * longer, unless they empty the set. @default 0
   */
  batchDelayMs?: number
  /**
   * How long the tracker's stream stays open with nothing tracked (WebSocket: subscribed to nothing; SSE:
   * still streaming the last set, whose events are ignored). Then it is closed — and with it the client's
   * shared connection, unless other streams use it — and the next track opens a new one. `0` closes it as
   * soon as the last track ends. @default 30_000
   */
  idleTimeoutMs?: number
  /**
   * A trace held at pending/confirmed that the current connection would not be told about if it were
   * invalidated (first seen in a snapshot, or seen before a reconnect) is looked up in API v3 this often,
   * until the stream reports it again or it settles. @default 10_000
   */
  recheckIntervalMs?: number
  /**
   * A held trace that API v3 lists neither committed nor pending is looked up once more after this delay
   * before it is reported invalidated (API v3 may lag the stream by a moment). @default 3_000
   */
  notFoundGraceMs?: number
  /** Parallel API v3 requests of one watch. @default 4 */
  snapshotConcurrency?: number
  /**
   * Reconciliation: a tracked trace not seen finalized whose status has not changed for this long is
   * looked up in API v3 — guarded or not, seen or never seen — because the server drops notifications for
   * a reader that falls behind without saying so, and a dropped finalized snapshot or `trace_invalidated`
   * would otherwise leave the track waiting for its time-out. Checked every `reconcileAfterMs`, so a
   * stalled trace is looked up between one and two periods after its last change — put off by up to two
   * more while the stream is delivering (a reader working through a backlog still has what looks stalled
   * in its socket); a `watch-overflow` of the stream's recovery triggers a check at once. `0` turns
   * reconciliation off. @default 15_000
   */
  reconcileAfterMs?: number
  /**
   * At most this many traces are reconciled per period (in turn when more are due), in API v3 requests of
   * 50 hashes, `snapshotConcurrency` at a time: the bound on its request rate. A period that confirmed
   * losses (found something new for half of its traces) is followed by the next after a quarter period.
   * @default 1_000
   */
  reconcileMaxTraces?: number
  /** Reconnect policy overrides of the stream, or `false` to fail the watch at the first drop. */
  reconnect?: Partial<ReconnectPolicy> | false
  /** SSE: silence this long means a dead connection. @default 45_000 */
  heartbeatTimeoutMs?: number
  /** WebSocket: a `ping` every this many ms. @default 15_000 */
  pingIntervalMs?: number
  /**
   * WebSocket: a ping unanswered this long, with no other message meanwhile, means a half-open socket.
   * @default 10_000
   */
  pongTimeoutMs?: number
  /** The server must acknowledge a subscription within this time. @default 30_000 */
  subscribeTimeoutMs?: number
  /** Opening a connection may take this long. @default 30_000 */
  openTimeoutMs?: number
  /** With one key, how long `connection limit reached` is retried. @default 90_000 */
  connectionLimitRetryMs?: number
  /** Debug output (stream diagnostics that concern no tracked trace go here). @default the client's logger */
  logger?: Logger
}

/** {@link TonLifecycleOptions} with defaults applied (stream options stay optional). */
export interface ResolvedTonLifecycleOptions {
  transport: 'websocket' | 'sse'
  batchDelayMs: number
  idleTimeoutMs: number
  recheckIntervalMs: number
  notFoundGraceMs: number
  snapshotConcurrency: number
  reconcileAfterMs: number
  reconcileMaxTraces: number
  logger: Logger | undefined
  /** Passed to `stream()` as they are. */
  stream: {
    reconnect?: Partial<ReconnectPolicy> | false
    heartbeatTimeoutMs?: number
    pingIntervalMs?: number
    pongTimeoutMs?: number
    subscribeTimeoutMs?: number
    openTimeoutMs?: number
    connectionLimitRetryMs?: number
  }
}

// A duration is finite, and only needs its lower bound.
const duration = (min = 0) => optional(finiteNumber(min))

const schema = optionsObject({
  transport: optional(oneOf(['websocket', 'sse'])),
  batchDelayMs: duration(),
  idleTimeoutMs: duration(),
  recheckIntervalMs: duration(1),
  notFoundGraceMs: duration(),
  snapshotConcurrency: optional(integer(1, 32)),
  reconcileAfterMs: duration(),
  reconcileMaxTraces: optional(integer(1)),
  // Passed to the stream, which checks `reconnect` in detail.
  ...CONNECTION_CHECKS,
  logger: LOGGER_CHECK,
})

const STREAM_KEYS = [
  'reconnect',
  'heartbeatTimeoutMs',
  'pingIntervalMs',
  'pongTimeoutMs',
  'subscribeTimeoutMs',
  'openTimeoutMs',
  'connectionLimitRetryMs',
] as const

/**
 * Validates lifecycle options strictly (a typo is refused, not ignored) and applies the defaults.
 *
 * @throws {ChainstreamError} `InvalidArgument` naming each bad option.
 */
export function resolveLifecycleOptions(options: TonLifecycleOptions = {}): ResolvedTonLifecycleOptions {
  const parsed = parseOptions(schema, options, 'TON lifecycle options')
  // Checked now rather than when the first track opens the stream.
  if (parsed.reconnect) resolveReconnectPolicy(parsed.reconnect as Partial<ReconnectPolicy>)
  const stream: Record<string, unknown> = {}
  for (const key of STREAM_KEYS) if (parsed[key] !== undefined) stream[key] = parsed[key]
  return {
    transport: parsed.transport ?? 'websocket',
    batchDelayMs: parsed.batchDelayMs ?? 0,
    idleTimeoutMs: parsed.idleTimeoutMs ?? 30_000,
    recheckIntervalMs: parsed.recheckIntervalMs ?? 10_000,
    notFoundGraceMs: parsed.notFoundGraceMs ?? 3_000,
    snapshotConcurrency: parsed.snapshotConcurrency ?? 4,
    reconcileAfterMs: parsed.reconcileAfterMs ?? 15_000,
    reconcileMaxTraces: parsed.reconcileMaxTraces ?? 1_000,
    logger: parsed.logger,
    stream: stream as ResolvedTonLifecycleOptions['stream'],
  }
}
