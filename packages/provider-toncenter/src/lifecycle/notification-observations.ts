import type { ChainstreamError, Diagnostic } from '@chainstream/core'
import type { Observation } from '@chainstream/core/provider'
import { TON_FINALITIES } from '../protocol/event-types.js'
import type { TonEvent } from '../ton-event.js'
import { observationFromTonFinality, observationFromTonInvalidation } from './ton-observations.js'
import { safeTraceId } from './trace-id.js'
import { traceOutcome } from './trace-outcome.js'

/*
 * What the lifecycle watch tells the tracker, as observations of the finality model. The status table is
 * `ton-observations.ts`; this file turns whole notifications (live, or rebuilt from API v3) into
 * observations. Every function stamps `at` with the time of the call.
 */

/**
 * A `trace` notification (live, or an API v3 look-up as `snapshotEvent` builds it) as a `tier`
 * observation: the wire finality as tier and `providerStatus`, the outcome and error by
 * {@link traceOutcome}, the notification as `data`, its `source`.
 */
export function traceObservation(event: TonEvent<'trace'>): Observation {
  const { outcome, error } = traceOutcome(event.trace_external_hash_norm, event.finality, event.transactions)
  return observationFromTonFinality(event.finality, {
    at: Date.now(),
    source: event.source,
    data: event,
    ...(outcome !== undefined ? { outcome } : {}),
    ...(error !== undefined ? { error } : {}),
  })
}

/** A `trace_invalidated` notification as a terminal `invalidated` observation. */
export function invalidationObservation(event: TonEvent<'trace_invalidated'>): Observation {
  return observationFromTonInvalidation({ at: Date.now(), source: event.source, data: event })
}

/**
 * A held trace that API v3 no longer lists: invalidated, with the `trace_invalidated` notification the
 * connection that saw it would have been sent as `data` (`source: 'snapshot'`, or `'reconciled'` when a
 * reconciliation found it), so the update looks the same whichever way the invalidation was found.
 */
export function lookedUpInvalidation(
  id: string,
  source: 'snapshot' | 'reconciled' = 'snapshot',
): Observation {
  return invalidationObservation({ type: 'trace_invalidated', trace_external_hash_norm: id, source })
}

/** A trace API v3 does not know and the watch never saw: counted by the tracker, never terminal. */
export function notFoundObservation(): Observation {
  return { kind: 'not_found', providerStatus: 'not_found', source: 'snapshot', at: Date.now() }
}

/** The end of the watching of a trace when its stream failed for good: the outcome stays unknown. */
export function erroredObservation(error: ChainstreamError, at: number): Observation {
  return { kind: 'watch', status: 'errored', reason: error.message, error, at }
}

/**
 * The trace a malformed notification (an `invalid-frame` diagnostic of the stream) was about, if it names
 * one; `undefined` for any other diagnostic.
 */
export function malformedTraceId(diagnostic: Diagnostic): string | undefined {
  const data = diagnostic.data
  return diagnostic.code === 'invalid-frame' && typeof data === 'object' && data !== null
    ? safeTraceId((data as Record<string, unknown>).trace_external_hash_norm)
    : undefined
}

/**
 * A malformed notification of a tracked trace as `unknown_status` (a diagnostic on that track, never a
 * throw). `providerStatus` is the finality it carried when that is no known one, else `malformed <type>`.
 */
export function malformedObservation(diagnostic: Diagnostic): Observation {
  const data = diagnostic.data as Record<string, unknown> | undefined
  const finality = data?.finality
  const known = (TON_FINALITIES as readonly unknown[]).includes(finality)
  return {
    kind: 'unknown_status',
    providerStatus: known || typeof finality !== 'string' ? `malformed ${String(data?.type)}` : finality,
    source: 'stream',
    at: Date.now(),
    data: diagnostic,
  }
}
