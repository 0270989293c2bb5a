/**
 * The finality tiers: how settled an observation of a transaction is, on any chain. Ordered from
 * "nothing seen" to "irreversible"; a tracked transaction's tier never goes down.
 */

/**
 * Every tier, weakest first. The index of a tier is its rank.
 *
 * - `unknown` — nothing seen yet.
 * - `pending` — seen before durable inclusion (speculative, emulated or pre-execution).
 * - `included` — executed in a block that may still be skipped.
 * - `confirmed` — supermajority or candidate block; a rollback is rare.
 * - `finalized` — irreversible.
 */
export const FINALITY_TIERS = ['unknown', 'pending', 'included', 'confirmed', 'finalized'] as const

/**
 * How settled an observation is, provider-neutral. Compare tiers with {@link compareTiers} or
 * {@link isTierAtLeast}, never with string comparison.
 *
 * @example
 * ```ts
 * const tier: FinalityTier = 'confirmed'
 * isTierAtLeast(tier, 'included') // true
 * ```
 */
export type FinalityTier = (typeof FINALITY_TIERS)[number]

/** A tier a provider can actually report: every tier except `unknown`, which only means "nothing seen". */
export type ObservedTier = Exclude<FinalityTier, 'unknown'>

// A lookup table rather than indexOf: ranks are read on every observation.
const RANKS: Readonly<Record<FinalityTier, number>> = {
  unknown: 0,
  pending: 1,
  included: 2,
  confirmed: 3,
  finalized: 4,
}

/**
 * The rank of a tier: `unknown` 0, `pending` 1, `included` 2, `confirmed` 3, `finalized` 4.
 *
 * @example
 * ```ts
 * tierRank('confirmed') // 3
 * ```
 */
export function tierRank(tier: FinalityTier): number {
  return RANKS[tier]
}

/**
 * Orders two tiers: negative when `a` is weaker than `b`, 0 when equal, positive when stronger.
 * Usable as an `Array.prototype.sort` comparator.
 *
 * @example
 * ```ts
 * ;['finalized', 'pending', 'confirmed'].sort(compareTiers) // ['pending', 'confirmed', 'finalized']
 * ```
 */
export function compareTiers(a: FinalityTier, b: FinalityTier): number {
  return RANKS[a] - RANKS[b]
}

/**
 * True when `tier` is `min` or stronger.
 *
 * @example
 * ```ts
 * isTierAtLeast('finalized', 'confirmed') // true
 * isTierAtLeast('pending', 'included') // false
 * ```
 */
export function isTierAtLeast(tier: FinalityTier, min: FinalityTier): boolean {
  return RANKS[tier] >= RANKS[min]
}

/** The stronger of two tiers (either one when they are equal). */
export function maxTier(a: FinalityTier, b: FinalityTier): FinalityTier {
  return RANKS[a] >= RANKS[b] ? a : b
}

/**
 * True when `value` is one of the {@link FINALITY_TIERS}. Use it on anything that crossed a boundary
 * (user options, decoded payloads).
 */
export function isFinalityTier(value: unknown): value is FinalityTier {
  return typeof value === 'string' && Object.hasOwn(RANKS, value)
}

/** True when `value` is a tier a provider can report (a {@link FinalityTier} other than `unknown`). */
export function isObservedTier(value: unknown): value is ObservedTier {
  return isFinalityTier(value) && value !== 'unknown'
}
