import type { Diagnostic } from '@chainstream/core'
import type { TonNotification } from '../protocol/notifications.js'
import type { TonSubscription } from '../protocol/subscription.js'
import type { TonEventSource } from '../ton-event.js'

/** Tuning of recovery (`recovery: { … }`). */
export interface RecoveryTuning {
  /** Items per API v3 page (1–1000). @default 100 */
  pageSize?: number
  /** Pages fetched per batch of 50 accounts before giving up with a `…-truncated` diagnostic. @default 50 */
  maxPages?: number
  /**
   * A watched trace found neither committed nor pending is looked up once more after this delay before it
   * is reported invalidated (API v3 may lag the stream by a moment). @default 3_000
   */
  notFoundGraceMs?: number
  /** Parallel API v3 requests. @default 4 */
  concurrency?: number
  /**
   * The longest a trace can stay unfinalized, in chain seconds: how far back before the last data seen a
   * backfill (and a reconciliation) looks for traces whose events may have been missed. A trace that
   * finalizes more than this after its first transaction can be missed; a larger value costs more API v3
   * pages per recovery. @default 600
   */
  horizonSeconds?: number
  /**
   * How often traces delivered below `finalized` that the current connection will not report on (held
   * from an earlier connection, or delivered by recovery) are looked up again, until they finalize or are
   * invalidated — the server sends `trace_invalidated` only on the connection that saw the trace. Also how
   * often a backfill that failed is retried. @default 10_000
   */
  recheckIntervalMs?: number
  /**
   * How many traces below `finalized` are watched at most. Beyond it the oldest is released (a
   * `watch-overflow` diagnostic counts them): its later finality or invalidation then arrives only if the
   * live stream sends it. @default 10_000
   */
  maxWatchedTraces?: number
}

/** Periodic reconciliation with API v3 (`reconcile: { … }`). */
export interface ReconcileOptions {
  /**
   * How often the stream compares what it delivered with API v3 for its subscribed accounts (and re-checks
   * every trace it holds below `finalized`), delivering what is missing with `source: 'reconciled'`. At
   * least 100. Each run reads one horizon of the accounts' history, so keep it in seconds, not milliseconds,
   * against a hosted API.
   */
  everyMs: number
}

/** Recovery settings as the stream resolved them (`recovery` tuning plus `reconcile`). */
export interface ResolvedRecovery extends RecoveryTuning {
  reconcile?: ReconcileOptions | undefined
}

/** Every setting with its default applied. */
export interface RecoverySettings {
  pageSize: number
  maxPages: number
  notFoundGraceMs: number
  concurrency: number
  horizonSeconds: number
  recheckIntervalMs: number
  maxWatchedTraces: number
  reconcileEveryMs: number | undefined
}

/** Applies defaults (and clamps, for callers that bypassed the stream's validation). */
export function recoverySettings(tuning: ResolvedRecovery = {}): RecoverySettings {
  return {
    pageSize: Math.min(1000, Math.max(1, tuning.pageSize ?? 100)),
    maxPages: Math.max(1, tuning.maxPages ?? 50),
    notFoundGraceMs: Math.max(0, tuning.notFoundGraceMs ?? 3_000),
    concurrency: Math.max(1, tuning.concurrency ?? 4),
    horizonSeconds: Math.max(1, tuning.horizonSeconds ?? 600),
    recheckIntervalMs: Math.max(100, tuning.recheckIntervalMs ?? 10_000),
    maxWatchedTraces: Math.max(1, tuning.maxWatchedTraces ?? 10_000),
    reconcileEveryMs: tuning.reconcile ? Math.max(100, tuning.reconcile.everyMs) : undefined,
  }
}

/** What recovery needs from the connection it serves. */
export interface RecoveryHost {
  /** The current subscription. */
  subscription(): TonSubscription
  /** Delivers a recovered notification through the finality gate (nothing once the connection ended). */
  deliver(notification: TonNotification, source: TonEventSource): void
  /** Reports an anomaly. */
  diagnostic(diagnostic: Diagnostic): void
  /** Work that outlives `recover()` (the periodic loop): the stream's `close()` waits for it to stop. */
  track(work: Promise<void>): void
}
