import type { Observation } from '@chainstream/core/provider'
import { observationFromVenumStreamError, streamStatusObservation } from './venum-observations.js'
import type { VenumUpdate } from './venum-update.js'

/**
 * A {@link VenumUpdate} as an observation on the provider-neutral finality model, for the cross-chain
 * tracker: `landed` → tier `pending`; `processed` → `included`; `confirmed`/`finalized` → the same tiers
 * (outcome success); `failed` → failed with `err` (outcome failure); `timeout`/`verify-timeout` → the
 * watch timed out (outcome unknown, never failure); `error` → the watch errored. The update is the
 * observation's `data`, its Venum status the `providerStatus`, and its source is kept.
 *
 * @example
 * ```ts
 * watch.on('update', (update) => tracker.observe('solana', update.signature, observationFromVenumUpdate(update)))
 * ```
 */
export function observationFromVenumUpdate(
  update: VenumUpdate,
  at: number = update.ts ?? Date.now(),
): Observation {
  if (update.status === 'error') {
    return observationFromVenumStreamError(
      { error: 'error', reason: update.err },
      { at, source: update.source, data: update },
    )
  }
  // The tracker maps every update of every Solana signature: no context object and spreads per update.
  return streamStatusObservation(update.status, at, update.source, update, update.err)
}
