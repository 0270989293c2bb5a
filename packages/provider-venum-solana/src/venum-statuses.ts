import type { FinalityTier, ObservedTier } from '@chainstream/core'

/** The tiers Venum's stream can report, weakest first; also the accepted values of `events`. */
export const VENUM_EVENTS = ['landed', 'processed', 'confirmed', 'finalized'] as const

/**
 * A tier Venum reports: `landed` (seen in a block shred, before execution), `processed` (executed),
 * `confirmed` (supermajority vote), `finalized` (rooted, irreversible).
 */
export type VenumEvent = (typeof VENUM_EVENTS)[number]

/**
 * The status of an update: a tier; `failed` (executed with an error — terminal, outcome failure);
 * `timeout` (landed-only mode: the landing signal never came) or `verify-timeout` (Venum gave up before
 * the requested tier) — both mean the outcome is **unknown**, never failure; `error` (Venum could not
 * watch this signature; the outcome is unknown too).
 */
export type VenumStatus = VenumEvent | 'failed' | 'timeout' | 'verify-timeout' | 'error'

/** Venum's tiers on the provider-neutral finality model (`finality-model.md`). */
export const VENUM_TIERS: Readonly<Record<VenumEvent, ObservedTier>> = Object.freeze({
  landed: 'pending',
  processed: 'included',
  confirmed: 'confirmed',
  finalized: 'finalized',
})

const RANK: Readonly<Record<VenumEvent, number>> = { landed: 1, processed: 2, confirmed: 3, finalized: 4 }

/** True when `value` is one of the {@link VENUM_EVENTS}. */
export function isVenumEvent(value: unknown): value is VenumEvent {
  return typeof value === 'string' && Object.hasOwn(RANK, value)
}

/**
 * The Venum tier for a neutral tier (`unknown` has none).
 *
 * @example
 * ```ts
 * venumEventOfTier('included') // 'processed'
 * ```
 */
export function venumEventOfTier(tier: FinalityTier): VenumEvent | undefined {
  switch (tier) {
    case 'pending':
      return 'landed'
    case 'included':
      return 'processed'
    case 'confirmed':
      return 'confirmed'
    case 'finalized':
      return 'finalized'
    default:
      return undefined
  }
}

/**
 * Every tier up to and including `target`: what a watch must request so that Venum does not close the
 * stream early (with only `landed` requested, the default on the wire, it closes right after landing).
 *
 * @example
 * ```ts
 * eventsUpTo('confirmed') // ['landed', 'processed', 'confirmed']
 * ```
 */
export function eventsUpTo(target: VenumEvent): VenumEvent[] {
  return VENUM_EVENTS.filter((event) => RANK[event] <= RANK[target])
}

/** The strongest of `events` (the watch's target tier). */
export function strongestEvent(events: readonly VenumEvent[]): VenumEvent {
  let best: VenumEvent = 'landed'
  for (const event of events) if (RANK[event] > RANK[best]) best = event
  return best
}
