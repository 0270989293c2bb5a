import type { ObservedTier, Outcome } from '@chainstream/core'
import type { MappingContext, Observation } from '@chainstream/core/provider'

/**
 * TON Streaming v2 statuses as neutral observations for the finality model. Pure and stateless: the
 * lifecycle machine handles duplicates, order and contradictions. Unknown statuses map to
 * `unknown_status` (a diagnostic downstream), never to an exception.
 */

// TON Streaming v2 `finality`: there is no `included` — TON goes pending → confirmed.
const TON_FINALITY: Readonly<Record<string, ObservedTier>> = {
  pending: 'pending',
  confirmed: 'confirmed',
  finalized: 'finalized',
}

const own = <T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined

const withData = (context: MappingContext) => (context.data !== undefined ? { data: context.data } : {})

/**
 * A TON Streaming v2 `finality` (`pending`, `confirmed`, `finalized`) as an observation of its tier.
 * The TON provider derives the outcome from the trace's transactions (an aborted compute or action
 * phase is a `failure`) and passes it with the provider's error; a failure below `finalized` is
 * recorded and the story ends when the trace finalizes (terminal `finalized`, outcome `failure`) or is
 * invalidated.
 *
 * @example
 * ```ts
 * observationFromTonFinality(event.finality, { at: Date.now(), outcome: aborted ? 'failure' : 'success', data: event })
 * ```
 */
export function observationFromTonFinality(
  finality: string,
  context: MappingContext & { readonly outcome?: Outcome; readonly error?: unknown },
): Observation {
  const source = context.source ?? 'stream'
  const tier = own(TON_FINALITY, finality)
  if (tier === undefined) {
    return {
      kind: 'unknown_status',
      providerStatus: String(finality),
      source,
      at: context.at,
      ...withData(context),
    }
  }
  return {
    kind: 'tier',
    tier,
    ...(context.outcome !== undefined ? { outcome: context.outcome } : {}),
    ...(context.error !== undefined ? { error: context.error } : {}),
    providerStatus: finality,
    source,
    at: context.at,
    ...withData(context),
  }
}

/** A TON `trace_invalidated` notification: the trace's non-final snapshot was retracted. */
export function observationFromTonInvalidation(context: MappingContext): Observation {
  return {
    kind: 'invalidated',
    providerStatus: 'trace_invalidated',
    source: context.source ?? 'stream',
    at: context.at,
    ...withData(context),
  }
}
