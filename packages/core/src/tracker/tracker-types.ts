import type { LifecycleUpdate } from '../finality/lifecycle-update.js'
import type { ObservedTier } from '../finality/tiers.js'
import type { LifecycleSourceV1 } from '../provider/lifecycle-source-v1.js'
import type { Diagnostic } from '../provider/provider-v1.js'
import type { Logger } from '../util/logger.js'

/** Anything that brings a lifecycle source: the source itself, or a provider object exposing one. */
export type TrackerProvider = LifecycleSourceV1 | { readonly lifecycle: LifecycleSourceV1 }

/** Options of {@link createTracker}. */
export interface TrackerOptions {
  /** One provider per chain (the first one given for a chain serves it). */
  providers: readonly TrackerProvider[]
  /** Target tier of tracks that do not name one. @default 'finalized' */
  target?: ObservedTier
  /**
   * Default watch time-out of every track, in milliseconds; a track still open then ends with watch
   * `timed_out` and outcome unknown (never failure). `0` disables. @default 0
   */
  timeoutMs?: number
  /** How many ended tracks `list()` keeps (their last update only). @default 100 */
  history?: number
  /** Where debug output goes. */
  logger?: Logger
}

/** What to track. */
export interface TrackInput {
  /** The chain, as a provider's `chain` names it: `'ton'`, `'solana'`. */
  chain: string
  /** A TON trace hash (`trace_external_hash_norm`) or a Solana signature. */
  id: string
  /** The tier the watch waits for (`reached` in updates). @default the tracker's target */
  target?: ObservedTier
  /** This track's watch time-out; see {@link TrackerOptions.timeoutMs}. */
  timeoutMs?: number
  /** Aborting cancels the track (watch `aborted`; never a success). */
  signal?: AbortSignal
}

/** Listener signatures of a {@link TrackedTransaction}. */
export interface TrackedTransactionEvents {
  /** Every update of this transaction, in tier order; the last one carries `terminal` (or ends the watch). */
  update: (update: LifecycleUpdate) => void
  /** Anomalies of this transaction's observations that are not errors (a stale or contradicting status). */
  diagnostic: (diagnostic: Diagnostic) => void
}

/** One tracked transaction. */
export interface TrackedTransaction extends AsyncIterable<LifecycleUpdate> {
  readonly chain: string
  readonly id: string
  /**
   * Where the transaction is now, as an update (the initial state before anything was seen): the newest
   * update's fields, `reachedTarget` included, but not the provider's payload (`data`) while the track is
   * under way — take that from the `update` events or the waits, which carry it. Once the track ended,
   * its last update itself.
   */
  readonly current: LifecycleUpdate
  /** Whether the track has ended (terminal, timed out, cancelled or errored). */
  readonly ended: boolean
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TrackedTransactionEvents>(event: K, listener: TrackedTransactionEvents[K]): () => void
  /** Removes a listener. */
  off<K extends keyof TrackedTransactionEvents>(event: K, listener: TrackedTransactionEvents[K]): void
  /**
   * Resolves with the update on which `tier` was reached with an outcome that is not a failure. Rejects
   * with `TransactionFailed`, `TransactionInvalidated`, `TransactionExpired`; with `WaitTimeout` (the
   * outcome is unknown) after `timeoutMs` or when the track timed out; with `Aborted` on abort or cancel.
   * Abort never resolves. A per-call time-out ends only this wait, not the track.
   */
  reached(
    tier: ObservedTier,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<LifecycleUpdate>
  /** Resolves with the terminal update (success or failure); rejects when the track ends without one. */
  settled(options?: { signal?: AbortSignal }): Promise<LifecycleUpdate>
  /** Stops tracking: watch `aborted`, resources released. */
  cancel(reason?: string): void
}

/** Listener signatures of a {@link Tracker}. */
export interface TrackerEvents {
  /** Every update of every track. */
  update: (update: LifecycleUpdate) => void
  /** A problem of a provider's watch (not of one transaction). */
  error: (error: unknown) => void
  /** Anomalies of any track's observations that are not errors. */
  diagnostic: (diagnostic: Diagnostic) => void
}

/** Tracks transactions across chains with one finality model. */
export interface Tracker {
  /** Starts tracking (or returns the live track of the same chain and id). Throws before anything is sent on bad input. */
  track(input: TrackInput): TrackedTransaction
  /** Tracks a batch; validates every input first, so a bad one starts none. */
  trackMany(inputs: readonly TrackInput[]): TrackedTransaction[]
  /** The latest update of every live track, then of the most recent ended ones. */
  list(): LifecycleUpdate[]
  /** Live tracks. */
  readonly size: number
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TrackerEvents>(event: K, listener: TrackerEvents[K]): () => void
  /** Removes a listener. */
  off<K extends keyof TrackerEvents>(event: K, listener: TrackerEvents[K]): void
  /** Cancels every track and closes every provider watch. */
  close(): Promise<void>
}
