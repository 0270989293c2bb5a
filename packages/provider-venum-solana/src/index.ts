/**
 * Venum's Solana transaction-status stream. Curated public surface.
 *
 * @module @chainstream/provider-venum-solana
 */

export { type Venum, createVenum } from './create-venum.js'
export { observationFromVenumUpdate } from './finality-mapping.js'
export { isSolanaSignature, signatureProblem } from './signature.js'
export type { VenumTxStatus } from './tx-status.js'
export { VENUM_BASE_URL, type VenumOptions } from './venum-options.js'
export {
  eventsUpTo,
  isVenumEvent,
  VENUM_EVENTS,
  VENUM_TIERS,
  type VenumEvent,
  type VenumStatus,
  venumEventOfTier,
} from './venum-statuses.js'
export type { VenumUpdate } from './venum-update.js'
export type {
  VenumWatch,
  VenumWatchCounters,
  VenumWatchEvents,
  VenumWatchOptions,
} from './venum-watch-types.js'
export type { WaitForOptions } from './wait-for.js'
