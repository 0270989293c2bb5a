import type { Diagnostic } from '../provider/provider-v1.js'
import type { LifecycleState } from './lifecycle-state.js'

/**
 * The stable codes of the diagnostics {@link reduceLifecycle} reports. None of them is fatal: at-least-once
 * delivery, stale snapshots and provider quirks make all of them normal now and then.
 *
 * - `tier-regression` — a lower tier arrived after a higher one (rule 1); dropped.
 * - `anomaly-after-finalized` — a failure, invalidation, expiry or contradicting outcome after
 *   `finalized` (rule 2); the state is kept.
 * - `observation-after-terminal` — a sighting that contradicts an earlier end (a TON trace that
 *   reappears after `trace_invalidated`, a transaction seen after it expired); the state is kept — track
 *   the id again to follow it.
 * - `outcome-conflict` — a provider reported `success` after `failure` (ignored) or `failure` after
 *   `success` (applied: a wrong failure costs a retry, a wrong success costs money).
 * - `expiry-without-evidence` — an `expired` observation without lifetime evidence or not-found
 *   re-check (rule 6); rejected.
 * - `unknown-status` — the provider sent a status this library does not know (rule 11).
 * - `lookup-failed` — a status lookup failed; it says nothing about the transaction.
 * - `invalid-observation` — a malformed observation (bad time, tier or kind); dropped, never thrown.
 */
export const LIFECYCLE_DIAGNOSTIC_CODES = [
  'tier-regression',
  'anomaly-after-finalized',
  'observation-after-terminal',
  'outcome-conflict',
  'expiry-without-evidence',
  'unknown-status',
  'lookup-failed',
  'invalid-observation',
] as const

/** One of the {@link LIFECYCLE_DIAGNOSTIC_CODES}. */
export type LifecycleDiagnosticCode = (typeof LIFECYCLE_DIAGNOSTIC_CODES)[number]

/** What a lifecycle diagnostic carries in `data`: enough to find the transaction and the culprit. */
export interface LifecycleDiagnosticData {
  readonly id: string
  readonly chain: string
  /** The state's tier when the observation arrived. */
  readonly tier: LifecycleState['tier']
  /** The observation that caused the diagnostic, as received. */
  readonly observation: unknown
}

/** Builds a lifecycle diagnostic for `state` caused by `observation`. */
export function lifecycleDiagnostic(
  code: LifecycleDiagnosticCode,
  state: LifecycleState,
  observation: unknown,
  message: string,
): Diagnostic {
  const data: LifecycleDiagnosticData = { id: state.id, chain: state.chain, tier: state.tier, observation }
  return { code, message: `${state.chain} ${state.id}: ${message}`, data }
}
