import { isChainstreamError, type LifecycleUpdate } from '@chainstream/core'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** How a `track` run ended, in words. */
export type TrackVerdict =
  | 'success'
  | 'failed'
  | 'invalidated'
  | 'expired'
  | 'timed out'
  | 'unknown'
  | 'interrupted'

/** The end of a `track` run: its exit code, the verdict, and the last update seen. */
export interface TrackResult {
  readonly code: ExitCode
  readonly verdict: TrackVerdict
  /** Why, for the verdicts that need one (the error's message: failure details, a stream error). */
  readonly message?: string
  readonly update: LifecycleUpdate
}

/** The target tier was reached without a failure. */
export function reachedResult(update: LifecycleUpdate): TrackResult {
  return { code: EXIT_CODES.success, verdict: 'success', update }
}

/**
 * The result of a wait that rejected: a failure, an invalidation or an expiry is a known bad outcome
 * (exit 1); a time-out or a watch that stopped (a stream error) leaves the outcome unknown (exit 2).
 */
export function rejectedResult(error: unknown, last: LifecycleUpdate, interrupted: boolean): TrackResult {
  const message = error instanceof Error ? error.message : String(error)
  if (isChainstreamError(error, 'TransactionFailed')) {
    return { code: EXIT_CODES.failed, verdict: 'failed', message, update: last }
  }
  if (isChainstreamError(error, 'TransactionInvalidated')) {
    return { code: EXIT_CODES.failed, verdict: 'invalidated', message, update: last }
  }
  if (isChainstreamError(error, 'TransactionExpired')) {
    return { code: EXIT_CODES.failed, verdict: 'expired', message, update: last }
  }
  if (interrupted && isChainstreamError(error, 'Aborted')) {
    return { code: EXIT_CODES.interrupted, verdict: 'interrupted', update: last }
  }
  if (isChainstreamError(error, 'WaitTimeout')) {
    return { code: EXIT_CODES.unknown, verdict: 'timed out', message, update: last }
  }
  return { code: EXIT_CODES.unknown, verdict: 'unknown', message, update: last }
}
