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
  return updateOf(state, extras.reachedTarget === true, extras.data)
}

type UpdateDraft = { -readonly [K in keyof LifecycleUpdate]: LifecycleUpdate[K] }

/**
 * {@link toLifecycleUpdate} without the extras object, for the machine (one update per change of every
 * tracked id). Optional fields are set only when present, in the order the type lists them.
 */
export function updateOf(state: LifecycleState, reachedTarget: boolean, data: unknown): LifecycleUpdate {
  const { providerStatus, source } = state
  if (
    state.watchReason === undefined &&
    providerStatus !== undefined &&
    source !== undefined &&
    state.error === undefined &&
    !reachedTarget
  ) {
    return commonUpdateOf(state, providerStatus, source, data)
  }
  const update = { id: state.id, chain: state.chain, tier: state.tier, outcome: state.outcome } as UpdateDraft
  if (state.terminal !== undefined) update.terminal = state.terminal
  update.watch = state.watch
  if (state.watchReason !== undefined) update.watchReason = state.watchReason
  update.target = state.target
  if (state.providerStatus !== undefined) update.providerStatus = state.providerStatus
  if (state.source !== undefined) update.source = state.source
  update.at = state.updatedAt
  update.elapsedMs = Math.max(0, state.updatedAt - state.startedAt)
  update.tierReachedAt = state.tierReachedAt
  if (state.error !== undefined) update.error = state.error
  if (reachedTarget) update.reachedTarget = true
  if (data !== undefined) update.data = data
  return update
}

/**
 * The update of the common case (a provider's observation, no watch reason, no error, not the one that
 * reached the target) as one literal, with the same fields in the same order as {@link updateOf}'s general
 * path: an object grown field by field reallocates its out-of-object fields several times, once per update
 * of every tracked id.
 */
function commonUpdateOf(
  state: LifecycleState,
  providerStatus: string,
  source: UpdateSource,
  data: unknown,
): LifecycleUpdate {
  const elapsedMs = Math.max(0, state.updatedAt - state.startedAt)
  const update: UpdateDraft =
    state.terminal === undefined
      ? {
          id: state.id,
          chain: state.chain,
          tier: state.tier,
          outcome: state.outcome,
          watch: state.watch,
          target: state.target,
          providerStatus,
          source,
          at: state.updatedAt,
          elapsedMs,
          tierReachedAt: state.tierReachedAt,
        }
      : {
          id: state.id,
          chain: state.chain,
          tier: state.tier,
          outcome: state.outcome,
          terminal: state.terminal,
          watch: state.watch,
          target: state.target,
          providerStatus,
          source,
          at: state.updatedAt,
          elapsedMs,
          tierReachedAt: state.tierReachedAt,
        }
  if (data !== undefined) update.data = data
  return update
}
