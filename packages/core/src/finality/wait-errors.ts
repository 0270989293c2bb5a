import { ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import type { LifecycleState } from './lifecycle-state.js'
import type { FinalityTier } from './tiers.js'

/**
 * The typed errors a wait on a lifecycle rejects with. Each message says what happened to the
 * transaction and what is safe to do next — above all, whether re-signing is safe (only after expiry).
 */

const MAX_DETAIL = 300

/** A short, readable text for a provider's error of any shape (Venum sends a string, others objects). */
export function describeProviderError(error: unknown): string | undefined {
  if (error === undefined || error === null || error === '') return undefined
  let text: string
  if (typeof error === 'string') text = error
  else if (error instanceof Error) text = error.message
  else {
    try {
      text = JSON.stringify(error) ?? String(error)
    } catch {
      text = String(error)
    }
  }
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text
}

const what = (state: LifecycleState) => `${state.chain} transaction ${state.id}`
const saidBy = (state: LifecycleState) =>
  state.providerStatus === undefined ? '' : ` (provider status ${JSON.stringify(state.providerStatus)})`

/**
 * `TransactionFailed`: the transaction executed with an error (outcome `failure`), at any tier — also
 * when it finalized with the failure. The provider's error is the `cause`.
 */
export function transactionFailedError(state: LifecycleState): ChainstreamError {
  const detail = describeProviderError(state.error)
  return new ChainstreamError(
    'TransactionFailed',
    `${what(state)} failed at tier ${state.tier}${saidBy(state)}${detail ? `: ${detail}` : ''}. ` +
      'It executed with an error; fix the cause before sending a new transaction.',
    { cause: state.error, isRetryable: false },
  )
}

/** `TransactionInvalidated`: a non-final observation was retracted (TON `trace_invalidated`). */
export function transactionInvalidatedError(state: LifecycleState): ChainstreamError {
  return new ChainstreamError(
    'TransactionInvalidated',
    `${what(state)} was invalidated: its ${state.tier} observation was retracted${saidBy(state)} before it ` +
      'was finalized. It may still land later — track it again; do not re-sign it yet, re-signing is safe ' +
      'only after expiry.',
    { isRetryable: false },
  )
}

/** `TransactionExpired`: its lifetime ended and a re-check found nothing. Re-signing is safe now. */
export function transactionExpiredError(state: LifecycleState): ChainstreamError {
  const evidence = state.terminal?.kind === 'expired' ? `: ${state.terminal.evidence}` : ''
  return new ChainstreamError(
    'TransactionExpired',
    `${what(state)} expired${evidence}, and a re-check after its lifetime did not find it. It can no ` +
      'longer land, so re-signing it with a fresh lifetime is safe now.',
    { isRetryable: false },
  )
}

/** `WaitTimeout`: the wait ended before the target tier. **The outcome is unknown.** */
export function waitTimeoutError(state: LifecycleState, target: FinalityTier): ChainstreamError {
  const reason = state.watchReason ? ` (${state.watchReason})` : ''
  return new ChainstreamError(
    'WaitTimeout',
    `waiting for ${what(state)} to reach ${target} timed out at tier ${state.tier}${reason}: the outcome is ` +
      'UNKNOWN — it may still land, succeed or fail. Keep tracking it or look up its status; re-signing is ' +
      'safe only after expiry.',
    { cause: state.watchError, isRetryable: false },
  )
}

/** `Aborted`: the caller aborted the wait. Says nothing about the transaction. */
export function waitAbortedError(state: LifecycleState, target: FinalityTier): ChainstreamError {
  const reason = state.watchReason ? ` (${state.watchReason})` : ''
  return new ChainstreamError(
    'Aborted',
    `waiting for ${what(state)} to reach ${target} was aborted at tier ${state.tier}${reason}; the outcome ` +
      'is unknown — an abort does not stop a transaction that was already sent.',
    { cause: state.watchError, isRetryable: false },
  )
}

/**
 * The error for a watch that ended with an error (`errored`): the watch's own error when it is a
 * chainstream error (its code kept, say `Unauthorized`), else `ServerError`. The outcome is unknown.
 */
export function watchErroredError(state: LifecycleState, target: FinalityTier): ChainstreamError {
  const cause = state.watchError
  const detail = describeProviderError(cause) ?? state.watchReason ?? 'no details'
  const message =
    `watching ${what(state)} for ${target} failed at tier ${state.tier}: ${detail}. The outcome is unknown; ` +
    'look up its status or track it again. Re-signing is safe only after expiry.'
  if (isChainstreamError(cause)) return cause.with({ message, cause })
  return new ChainstreamError('ServerError', message, { cause, isRetryable: false })
}
