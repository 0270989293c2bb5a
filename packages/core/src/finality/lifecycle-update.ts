import type { LifecycleState, LifecycleTerminal } from './lifecycle-state.js'
import type { Outcome, UpdateSource, WatchStatus } from './lifecycle-types.js'
import type { FinalityTier } from './tiers.js'

/**
 * What a tracker emits when something observable changed for a tracked id: the tier went up, the
 * outcome changed, the story ended, or the watch status changed. Updates for one id are in tier order,
 * and exactly one of them carries `terminal` — the last one.
 *
 * @example
 * ```ts
 * tx.on('update', (u: LifecycleUpdate) => {
 *   if (u.terminal) logger.info(`${u.id} ended ${u.terminal.kind} (${u.outcome}) after ${u.elapsedMs} ms`)
 *   else logger.debug(`${u.id} is ${u.tier} (provider says ${u.providerStatus})`)
 * })
 * ```
 */
export interface LifecycleUpdate {
  readonly id: string
  readonly chain: string
  readonly tier: FinalityTier
  readonly outcome: Outcome
  /** Present on the one update that ends the story. */
  readonly terminal?: LifecycleTerminal
  readonly watch: WatchStatus
  /** Why the watch stopped, when it did. */
  readonly watchReason?: string
  /** The tier the watch waits for. */
  readonly target: FinalityTier
  /**
   * The provider's raw status and the source of the last observation that changed the state. Absent
   * only when nothing came from a provider yet (a local time-out before the first sighting).
   */
  readonly providerStatus?: string
  readonly source?: UpdateSource
  /** When the observation behind this update was made (epoch ms). */
  readonly at: number
  /** `at` minus the state's `startedAt` (never negative). */
  readonly elapsedMs: number
  /** When each tier was first reached (see {@link LifecycleState.tierReachedAt}). */
  readonly tierReachedAt: Readonly<Partial<Record<FinalityTier, number>>>
  /** The provider's error, when the outcome is `failure`. */
  readonly error?: unknown
  /** `true` on the one update on which the watch became `reached`; absent on every other. */
  readonly reachedTarget?: true
  /** The provider's payload of the observation behind this update, when it had one. */
  readonly data?: unknown
}

/**
 * The update describing `state` as it is now. The machine uses it for every update it emits; a tracker
 * may use it to replay the current state to a late subscriber.
 */
export function toLifecycleUpdate(
  state: LifecycleState,
  extras: { readonly reachedTarget?: boolean; readonly data?: unknown } = {},
): LifecycleUpdate {
  return {
    id: state.id,
    chain: state.chain,
    tier: state.tier,
    outcome: state.outcome,
    ...(state.terminal !== undefined ? { terminal: state.terminal } : {}),
    watch: state.watch,
    ...(state.watchReason !== undefined ? { watchReason: state.watchReason } : {}),
    target: state.target,
    ...(state.providerStatus !== undefined ? { providerStatus: state.providerStatus } : {}),
    ...(state.source !== undefined ? { source: state.source } : {}),
    at: state.updatedAt,
    elapsedMs: Math.max(0, state.updatedAt - state.startedAt),
    tierReachedAt: state.tierReachedAt,
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(extras.reachedTarget === true ? { reachedTarget: true as const } : {}),
    ...(extras.data !== undefined ? { data: extras.data } : {}),
  }
}
