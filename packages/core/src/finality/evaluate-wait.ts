import { ChainstreamError } from '../errors/chainstream-error.js'
import type { LifecycleState } from './lifecycle-state.js'
import { type FinalityTier, isObservedTier, isTierAtLeast } from './tiers.js'
import {
  transactionExpiredError,
  transactionFailedError,
  transactionInvalidatedError,
  waitAbortedError,
  waitTimeoutError,
  watchErroredError,
} from './wait-errors.js'

/**
 * What a wait for a tier makes of a lifecycle state right now: keep waiting, resolve with the state, or
 * reject with a typed error.
 */
export type WaitEvaluation =
  | { readonly kind: 'pending' }
  | { readonly kind: 'resolved'; readonly state: LifecycleState }
  | { readonly kind: 'rejected'; readonly error: ChainstreamError }

/**
 * Decides a wait for `target` (default: the state's own target) from a lifecycle state — rule 8 of the
 * finality model. Pure: a tracker calls it after every step and settles its waiters accordingly.
 *
 * In this order:
 * 1. terminal `invalidated` → `TransactionInvalidated`; terminal `expired` → `TransactionExpired`;
 * 2. outcome `failure` (also finalized with failure) → `TransactionFailed`;
 * 3. watch `aborted` → `Aborted` — **an abort never resolves as success**, even at the target;
 * 4. tier at least `target` → resolved (the outcome is `success` or `unknown`, never `failure`);
 * 5. watch `timed_out` → `WaitTimeout` (the outcome is unknown); watch `errored` → the watch's error;
 * 6. otherwise pending.
 *
 * A wait for a lower tier than the state's target may still resolve after the watch timed out: the tier
 * it asks for was reached.
 *
 * @example
 * ```ts
 * const verdict = evaluateWait(step.state, 'confirmed')
 * if (verdict.kind === 'resolved') resolve(verdict.state)
 * else if (verdict.kind === 'rejected') reject(verdict.error)
 * ```
 */
export function evaluateWait(state: LifecycleState, target: FinalityTier = state.target): WaitEvaluation {
  if (!isObservedTier(target)) {
    return {
      kind: 'rejected',
      error: new ChainstreamError('InvalidArgument', `cannot wait for tier ${JSON.stringify(target)}`),
    }
  }
  const terminal = state.terminal?.kind
  if (terminal === 'invalidated') return { kind: 'rejected', error: transactionInvalidatedError(state) }
  if (terminal === 'expired') return { kind: 'rejected', error: transactionExpiredError(state) }
  if (state.outcome === 'failure' || terminal === 'failed') {
    return { kind: 'rejected', error: transactionFailedError(state) }
  }
  if (state.watch === 'aborted') return { kind: 'rejected', error: waitAbortedError(state, target) }
  if (isTierAtLeast(state.tier, target)) return { kind: 'resolved', state }
  if (state.watch === 'timed_out') return { kind: 'rejected', error: waitTimeoutError(state, target) }
  if (state.watch === 'errored') return { kind: 'rejected', error: watchErroredError(state, target) }
  return { kind: 'pending' }
}
