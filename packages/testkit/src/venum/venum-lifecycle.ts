import type { VenumChainStatus, VenumLifecycle, VenumLifecycleWeights, VenumTimings } from './venum-types.js'

/** The default clock (at `timeScale` 1): fast enough for tests, in the order the real network goes. */
export const DEFAULT_VENUM_TIMINGS: Readonly<VenumTimings> = Object.freeze({
  landedMs: 20,
  processedMs: 30,
  confirmedMs: 50,
  finalizedMs: 200,
  failedMs: 35,
  landingTimeoutMs: 250,
  verifyTimeoutMs: 600,
  jitter: 0.2,
})

/** One scheduled change of a signature's on-chain status. */
export interface LifecycleStep {
  readonly status: VenumChainStatus
  /** Milliseconds after the signature was first seen. */
  readonly atMs: number
}

/** Rank of each tier (the order a transaction reaches them); `failed` is not a tier. */
export const TIER_RANK: Readonly<Record<string, number>> = {
  landed: 1,
  processed: 2,
  confirmed: 3,
  finalized: 4,
}

/** The rank of a status, 0 when it is not a tier (`failed`, `undefined`). */
export const rankOf = (status: string | undefined): number =>
  status === undefined ? 0 : (TIER_RANK[status] ?? 0)

/** Picks a lifecycle by weight with `random` (`success` when every weight is 0). */
export function pickLifecycle(weights: VenumLifecycleWeights, random: () => number): VenumLifecycle {
  const entries = Object.entries(weights).filter(([, w]) => typeof w === 'number' && w > 0) as [
    VenumLifecycle,
    number,
  ][]
  const total = entries.reduce((sum, [, w]) => sum + w, 0)
  if (total === 0) return 'success'
  let roll = random() * total
  for (const [lifecycle, weight] of entries) {
    roll -= weight
    if (roll < 0) return lifecycle
  }
  return entries[entries.length - 1]?.[0] ?? 'success'
}

/**
 * The on-chain steps of a lifecycle at `scale`, each with a seeded jitter. Steps stay in order: a later
 * step is never scheduled before an earlier one.
 */
export function lifecycleSteps(
  lifecycle: VenumLifecycle,
  timings: VenumTimings,
  scale: number,
  random: () => number,
): LifecycleStep[] {
  const at = (ms: number) => Math.max(0, ms * scale * (1 + timings.jitter * (2 * random() - 1)))
  const ordered = (steps: [VenumChainStatus, number][]): LifecycleStep[] => {
    let previous = 0
    return steps.map(([status, ms]) => {
      previous = Math.max(previous, at(ms))
      return { status, atMs: previous }
    })
  }
  switch (lifecycle) {
    case 'success':
      return ordered([
        ['landed', timings.landedMs],
        ['processed', timings.processedMs],
        ['confirmed', timings.confirmedMs],
        ['finalized', timings.finalizedMs],
      ])
    case 'failure':
      return ordered([
        ['landed', timings.landedMs],
        ['failed', timings.failedMs],
      ])
    case 'verify-timeout':
      return ordered([['landed', timings.landedMs]])
    default:
      return []
  }
}
