import type { Outcome, UpdateSource } from './lifecycle-types.js'
import type { ObservedTier } from './tiers.js'

/**
 * What a provider saw about one transaction, in provider-neutral terms. Providers turn their statuses
 * into observations (each provider package keeps its own status tables); {@link reduceLifecycle} folds them
 * into a {@link @chainstream/core!LifecycleState}. Observations may arrive duplicated, stale or out of order: the machine
 * sorts that out, so a provider maps statuses one by one and never keeps state of its own.
 *
 * @example
 * ```ts
 * const seen: Observation = {
 *   kind: 'tier', tier: 'confirmed', outcome: 'success',
 *   providerStatus: 'confirmed', source: 'stream', at: Date.now(),
 * }
 * ```
 */
export type Observation =
  | TierObservation
  | FailedObservation
  | InvalidatedObservation
  | ExpiredObservation
  | NotFoundObservation
  | LookupFailedObservation
  | WatchObservation
  | UnknownStatusObservation
  | StreamClosedObservation

/** The fields every observation that came from a provider carries. */
export interface ProviderObservationBase {
  /** The provider's raw status, kept verbatim on updates (`'confirmed'`, `'trace_invalidated'`, …). */
  readonly providerStatus: string
  /** Where it came from. */
  readonly source: UpdateSource
  /** When it was observed (epoch ms). Latency figures are computed from it. */
  readonly at: number
  /** The provider's payload, passed through on the update it causes (slot, trace, …). */
  readonly data?: unknown
}

/**
 * The transaction was seen at `tier`. An `outcome` may come with it: Venum's `processed` and later mean
 * success; a TON provider derives it from the trace's transactions. A `failure` outcome below
 * `finalized` is recorded but does not end the story (a speculative TON snapshot may still change
 * tier or be invalidated); at `finalized` it ends with terminal `finalized` and outcome `failure`.
 */
export interface TierObservation extends ProviderObservationBase {
  readonly kind: 'tier'
  readonly tier: ObservedTier
  /** Omitted: the provider does not say (same as `unknown`). */
  readonly outcome?: Outcome
  /** The provider's error, when the outcome is `failure`. */
  readonly error?: unknown
}

/**
 * The provider says the transaction executed with an error: the story ends with outcome `failure`
 * (terminal `failed`, or `finalized` when the failure is reported at `finalized`). It may follow
 * `pending` directly (Venum `landed` is pre-execution).
 */
export interface FailedObservation extends ProviderObservationBase {
  readonly kind: 'failed'
  /** The provider's error (Venum's `err` string, say). */
  readonly error?: unknown
  /** The tier at which the failure was seen, when the provider says (Venum REST `confirmationStatus`). */
  readonly tier?: ObservedTier
}

/**
 * A non-final observation was retracted (TON `trace_invalidated`). Ends the lifecycle with terminal
 * `invalidated`; after `finalized` it is a provider anomaly and is ignored.
 */
export interface InvalidatedObservation extends ProviderObservationBase {
  readonly kind: 'invalidated'
}

/**
 * The transaction's lifetime ended and a re-check afterwards did not find it, so it can never land
 * and re-signing is safe. Both facts are required: an `expired` observation without `evidence` or
 * without `notFoundAt` is rejected with an `expiry-without-evidence` diagnostic, because a wrong
 * expiry invites a double spend.
 */
export interface ExpiredObservation extends ProviderObservationBase {
  readonly kind: 'expired'
  /** Why the lifetime is over, in words (`'block height 312000151 > lastValidBlockHeight 312000150'`). */
  readonly evidence: string
  /** When the not-found re-check, made after the lifetime ended, came back empty (epoch ms). */
  readonly notFoundAt: number
}

/**
 * A lookup (REST snapshot, poll) did not find the transaction. Never terminal by itself: it may not
 * have propagated yet, or the status cache forgot it. Counted in
 * {@link @chainstream/core!LifecycleState.notFoundCount} (consecutive; reset by any sighting) so that the caller can
 * decide when to stop waiting or to check the lifetime.
 */
export interface NotFoundObservation extends ProviderObservationBase {
  readonly kind: 'not_found'
}

/**
 * A status lookup itself failed (Venum REST `status: error`). It says nothing about the transaction
 * and need not end the watch (the next poll may work), so it only produces a `lookup-failed`
 * diagnostic; the caller feeds a `watch` observation with status `errored` when it gives up.
 */
export interface LookupFailedObservation extends ProviderObservationBase {
  readonly kind: 'lookup_failed'
  /** The provider's explanation (Venum's `reason`). */
  readonly reason?: string
}

/**
 * Something happened to our *watching*, not to the transaction: a time-out (local watchdog, or the
 * provider's `timeout`/`verify-timeout`), an abort, or an error that stopped the watch. Soft: it never
 * claims failure or expiry, and the transaction's tier may still advance if more observations arrive.
 * `providerStatus` and `source` are given when a provider reported it, and omitted for local causes.
 */
export interface WatchObservation {
  readonly kind: 'watch'
  readonly status: 'timed_out' | 'aborted' | 'errored'
  /** Why, in words. */
  readonly reason?: string
  /** The error that stopped the watch (for `errored`) or the abort reason (for `aborted`). */
  readonly error?: unknown
  readonly providerStatus?: string
  readonly source?: UpdateSource
  readonly at: number
  readonly data?: unknown
}

/** The provider sent a status this library does not know. Becomes an `unknown-status` diagnostic. */
export interface UnknownStatusObservation extends ProviderObservationBase {
  readonly kind: 'unknown_status'
}

/**
 * The stream carrying this transaction closed. Not an end of the transaction (Venum closes a stream
 * after `landed` in landed-only mode): the state is left as it is.
 */
export interface StreamClosedObservation {
  readonly kind: 'stream_closed'
  readonly reason?: string
  readonly at: number
}

/** Every {@link Observation} kind. */
export const OBSERVATION_KINDS = [
  'tier',
  'failed',
  'invalidated',
  'expired',
  'not_found',
  'lookup_failed',
  'watch',
  'unknown_status',
  'stream_closed',
] as const satisfies readonly Observation['kind'][]

/** When and where a status was observed. */
export interface MappingContext {
  /** When the status was observed (epoch ms). */
  readonly at: number
  /** Where it came from. Defaults per helper: `stream` for stream statuses, `snapshot` for REST lookups. */
  readonly source?: UpdateSource
  /** The provider's payload, passed through to the update. */
  readonly data?: unknown
}
