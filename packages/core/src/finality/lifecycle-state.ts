import type { Outcome, UpdateSource, WatchStatus } from './lifecycle-types.js'
import type { FinalityTier } from './tiers.js'

/**
 * How a lifecycle ended, with the observation that ended it. A discriminated union on `kind`: only an
 * expiry carries its evidence.
 */
export type LifecycleTerminal =
  | {
      readonly kind: 'finalized' | 'failed' | 'invalidated'
      /** When the ending observation was made (epoch ms). */
      readonly at: number
      /** The provider's raw status that ended it. */
      readonly providerStatus: string
      readonly source: UpdateSource
    }
  | {
      readonly kind: 'expired'
      readonly at: number
      readonly providerStatus: string
      readonly source: UpdateSource
      /** Why the lifetime is over, in words. */
      readonly evidence: string
      /** When the re-check after the lifetime came back empty (epoch ms). */
      readonly notFoundAt: number
    }

/**
 * Everything known about one tracked transaction. Immutable: {@link @chainstream/core/provider!reduceLifecycle} returns a new
 * state when something changed and the same object when nothing did.
 *
 * @example
 * ```ts
 * let state = createLifecycleState({ id: signature, chain: 'solana', target: 'confirmed', startedAt: Date.now() })
 * const step = reduceLifecycle(state, observation)
 * state = step.state
 * ```
 */
export interface LifecycleState {
  /** The tracked id (a Solana signature, a TON trace's external hash norm). */
  readonly id: string
  /** The chain name, as the tracker calls it (`'solana'`, `'ton'`). */
  readonly chain: string
  /** The tier the watch waits for. */
  readonly target: FinalityTier
  /** When tracking began (epoch ms); `elapsedMs` on updates counts from here. */
  readonly startedAt: number
  /** When the last observation that changed the tier, outcome, terminal or watch was made (epoch ms). */
  readonly updatedAt: number
  /** The strongest tier seen; never decreases. */
  readonly tier: FinalityTier
  readonly outcome: Outcome
  /** How the story ended; absent while it goes on. */
  readonly terminal?: LifecycleTerminal
  readonly watch: WatchStatus
  /** Why the watch stopped (for `timed_out`, `aborted`, `errored`). */
  readonly watchReason?: string
  /** The error that stopped the watch, or the abort reason. */
  readonly watchError?: unknown
  /**
   * When each tier was first reached (epoch ms), for latency figures. A tier that was skipped (TON has
   * no `included`; stages may be collapsed) gets the time of the observation that passed it, since it
   * was reached no later than that: a tier other than `unknown` has an entry exactly when `tier` is at
   * least that tier.
   */
  readonly tierReachedAt: Readonly<Partial<Record<FinalityTier, number>>>
  /**
   * The provider's raw status from the last observation that changed the tier, outcome, terminal or
   * watch (a local time-out or abort keeps the previous one). Absent until a provider said something.
   */
  readonly providerStatus?: string
  /** The source of that same observation. */
  readonly source?: UpdateSource
  /** The provider's error, when the outcome is `failure`. */
  readonly error?: unknown
  /** Consecutive `not_found` lookups since the last sighting. */
  readonly notFoundCount: number
}
