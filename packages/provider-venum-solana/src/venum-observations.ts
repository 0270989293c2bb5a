import { ChainstreamError, type ObservedTier, type Outcome, type UpdateSource } from '@chainstream/core'
import type { MappingContext, Observation } from '@chainstream/core/provider'

/**
 * Venum's statuses (`/v1/stream/tx` events and `GET /v1/tx` answers) as neutral observations for the
 * finality model. Pure and stateless: the lifecycle machine handles duplicates, order and
 * contradictions. Unknown statuses map to `unknown_status` (a diagnostic downstream), never to an
 * exception. One rule runs through all of them: a payload that carries an error never maps to success.
 */

// Venum `/v1/stream/tx` statuses that are tiers. `landed` is pre-execution, so it says nothing about the
// outcome; `processed` and later say it executed without error (`failed` never comes with them).
const VENUM_STREAM_TIERS: Readonly<Record<string, { tier: ObservedTier; outcome?: Outcome }>> = {
  landed: { tier: 'pending' },
  processed: { tier: 'included', outcome: 'success' },
  confirmed: { tier: 'confirmed', outcome: 'success' },
  finalized: { tier: 'finalized', outcome: 'success' },
}

// Venum `/v1/stream/tx` statuses that end the watch, not the transaction: the outcome is unknown.
const VENUM_STREAM_TIMEOUTS: Readonly<Record<string, string>> = {
  timeout: 'the landing signal never came',
  'verify-timeout': 'the provider gave up before the requested tier',
}

// Venum `/v1/tx` `confirmationStatus` (Solana commitment levels). `unknown` and anything else fall back
// to the top-level `status`.
const VENUM_COMMITMENT: Readonly<Record<string, ObservedTier>> = {
  processed: 'included',
  confirmed: 'confirmed',
  finalized: 'finalized',
}

const own = <T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined

const withData = (context: MappingContext) => (context.data !== undefined ? { data: context.data } : {})

const hasError = (value: unknown) => value !== undefined && value !== null && value !== '' && value !== false

/**
 * A Venum `/v1/stream/tx` status (the `status` of a `tx` event):
 * `landed` → tier pending; `processed` → included; `confirmed` → confirmed; `finalized` → finalized
 * (the last three with outcome success); `failed` → failed with `err`; `timeout` and `verify-timeout`
 * → watch timed out (outcome unknown — not a failure); anything else → unknown status.
 *
 * @example
 * ```ts
 * const tx = JSON.parse(message.data) // {"signature":"…","status":"confirmed","slot":411007599}
 * observationFromVenumStreamStatus(tx.status, { at: Date.now(), err: tx.err, data: tx })
 * ```
 */
export function observationFromVenumStreamStatus(
  status: string,
  context: MappingContext & { readonly err?: unknown },
): Observation {
  return streamStatusObservation(status, context.at, context.source ?? 'stream', context.data, context.err)
}

/**
 * {@link observationFromVenumStreamStatus} with the context as arguments: what a watch calls for every
 * stream event, without a context object per event.
 */
export function streamStatusObservation(
  status: string,
  at: number,
  source: UpdateSource,
  data: unknown,
  err: unknown,
): Observation {
  const providerStatus = String(status)
  // Literals with `data` set after, rather than spreads (this runs for every stream event); the fields in
  // the order the spreads gave: kind, what the kind carries, providerStatus, source, at, data.
  let observation: { data?: unknown } & Observation
  const tier = own(VENUM_STREAM_TIERS, status)
  if (status === 'failed') {
    observation =
      err !== undefined
        ? { kind: 'failed', error: err, providerStatus, source, at }
        : { kind: 'failed', providerStatus, source, at }
  } else if (tier !== undefined) {
    // Documented never to happen; if a tier status ever carries an error, a failure is the safe reading.
    if (hasError(err)) {
      observation = { kind: 'failed', error: err, tier: tier.tier, providerStatus, source, at }
    } else if (tier.outcome) {
      // The common case of every stream: `data` in the literal, not added after (a backing store more).
      if (data !== undefined) {
        return { kind: 'tier', tier: tier.tier, outcome: tier.outcome, providerStatus, source, at, data }
      }
      observation = { kind: 'tier', tier: tier.tier, outcome: tier.outcome, providerStatus, source, at }
    } else if (data !== undefined) {
      return { kind: 'tier', tier: tier.tier, providerStatus, source, at, data }
    } else {
      observation = { kind: 'tier', tier: tier.tier, providerStatus, source, at }
    }
  } else {
    const timeout = own(VENUM_STREAM_TIMEOUTS, status)
    observation =
      timeout !== undefined
        ? { kind: 'watch', status: 'timed_out', reason: timeout, providerStatus, source, at }
        : { kind: 'unknown_status', providerStatus, source, at }
  }
  if (data !== undefined) observation.data = data
  return observation
}

/**
 * A Venum `/v1/stream/tx` `error` event (`{"signature","error","reason"}`): a setup error for one
 * signature while the others keep streaming. Nothing more will come for it, so its watch is `errored`
 * (with a `ServerError` whose body is the event); the transaction itself may still land.
 */
export function observationFromVenumStreamError(
  body: { readonly error?: unknown; readonly reason?: unknown },
  context: MappingContext,
): Observation {
  const parts = [body.error, body.reason].filter((v) => typeof v === 'string' && v !== '')
  const reason = parts.length > 0 ? parts.join(': ') : 'the provider reported an error for this signature'
  return {
    kind: 'watch',
    status: 'errored',
    reason,
    error: new ChainstreamError('ServerError', reason, { body, isRetryable: false }),
    providerStatus: 'error',
    source: context.source ?? 'stream',
    at: context.at,
    ...withData(context),
  }
}

/** The fields of a Venum `GET /v1/tx/:signature` answer that the mapping reads. */
export interface VenumTxBody {
  readonly status?: unknown
  readonly confirmationStatus?: unknown
  readonly err?: unknown
  readonly error?: unknown
  readonly reason?: unknown
}

/**
 * A Venum `GET /v1/tx/:signature` answer (a snapshot or a poll):
 * `not_found` → not found (counted, never terminal); `failed` → failed, at the tier of
 * `confirmationStatus`; `confirmed`/`finalized` → the tier of `confirmationStatus` (`processed` →
 * included; `unknown` or missing → the status itself) with outcome success — or failed when the body
 * carries an error; `error` → lookup failed (the lookup, not the transaction, failed: a diagnostic, the
 * watch goes on; the poller decides when repeated failures mean the watch `errored`); anything else →
 * unknown status. The body is the default `data`.
 *
 * @example
 * ```ts
 * observationFromVenumRest(await response.json(), { at: Date.now(), source: 'snapshot' })
 * ```
 */
export function observationFromVenumRest(body: VenumTxBody, context: MappingContext): Observation {
  const status = body.status
  const base = {
    providerStatus: String(status),
    source: context.source ?? 'snapshot',
    at: context.at,
    data: context.data !== undefined ? context.data : body,
  }
  const error = hasError(body.err) ? body.err : hasError(body.error) ? body.error : undefined
  const commitment = own(VENUM_COMMITMENT, body.confirmationStatus)
  switch (status) {
    case 'not_found':
      return { kind: 'not_found', ...base }
    case 'failed':
      return {
        kind: 'failed',
        ...(error !== undefined ? { error } : hasError(body.reason) ? { error: body.reason } : {}),
        ...(commitment !== undefined ? { tier: commitment } : {}),
        ...base,
      }
    case 'confirmed':
    case 'finalized': {
      const tier = commitment ?? status
      if (error !== undefined) return { kind: 'failed', error, tier, ...base }
      return { kind: 'tier', tier, outcome: 'success', ...base }
    }
    case 'error':
      return {
        kind: 'lookup_failed',
        ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
        ...base,
      }
    default:
      return { kind: 'unknown_status', ...base }
  }
}
