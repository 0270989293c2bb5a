import type { Observation } from '../finality/observation.js'
import type { ObservedTier } from '../finality/tiers.js'

/**
 * The lifecycle half of the provider contract (version 1): how a provider lets the cross-chain tracker
 * follow individual transactions. The provider watches ids and maps its statuses onto neutral
 * {@link Observation}s; the tracker owns the lifecycle state machine, so a source keeps no lifecycle state
 * of its own and may report duplicates, stale snapshots and out-of-order statuses freely.
 *
 * Duties of a source, after every (re)connect: subscribe first, then take one snapshot per watched id
 * that is not final yet, and report both through the sink (rule 10 of the finality model).
 */
export interface LifecycleSourceV1 {
  readonly specificationVersion: 'v1'
  /** The chain this source serves (`'ton'`, `'solana'`): what `track({ chain })` is matched against. */
  readonly chain: string
  /** A short provider name for updates and errors (`'toncenter'`, `'venum'`). */
  readonly providerId: string
  /**
   * Checks an id before anything is sent (a TON trace hash, a Solana signature). Throws an
   * `InvalidArgument` error that says what a valid id looks like.
   */
  validateId(id: string): string
  /** Opens one multiplexed watch for all the ids the tracker will add. */
  openLifecycleWatch(sink: LifecycleSink, options: LifecycleWatchOptions): LifecycleWatch
}

/** Where a source reports what it saw. */
export interface LifecycleSink {
  /** An observation about one watched id. */
  observe(id: string, observation: Observation): void
  /** A problem with the watch as a whole (not with one transaction); retryable ones are informational. */
  error(error: unknown): void
}

/** Options of {@link LifecycleSourceV1.openLifecycleWatch}. */
export interface LifecycleWatchOptions {
  /** The strongest tier any tracked id waits for; sources may stop watching an id once it is reached. */
  readonly target: ObservedTier
  readonly signal?: AbortSignal
}

/** A live, multiplexed watch over many ids. */
export interface LifecycleWatch {
  /** Starts watching ids (idempotent per id). Resolves when they are subscribed. */
  add(ids: readonly string[]): Promise<void>
  /** Stops watching ids (when their tracks end). */
  remove(ids: readonly string[]): Promise<void>
  /** Takes a snapshot of these ids now and reports it through the sink. */
  snapshot?(ids: readonly string[]): Promise<void>
  /** Closes the watch and every connection it holds. */
  close(): Promise<void>
}
