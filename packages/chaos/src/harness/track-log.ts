import { createTracker, type LifecycleUpdate, type Tracker, type TrackerOptions } from '@chainstream/core'
import type { TrackRecord, TrackTruth } from '../oracle/tracker-oracle.js'
import type { SeedContext } from './seed-context.js'
import { nextOrder, observe } from './wait.js'

/** A tracker over `providers` whose errors are noted in the seed's account. */
export function notedTracker(providers: TrackerOptions['providers'], context: SeedContext): Tracker {
  const tracker = createTracker({ providers })
  tracker.on('error', (error) => {
    const e = error as { code?: string; message?: string }
    context.note(`tracker error ${e.code}: ${String(e.message).slice(0, 140)}`)
  })
  return tracker
}

/** The tier every track's `reached()` waits for. */
const REACHED_TIER = 'confirmed'

/**
 * Starts tracking `id` and records what the consumer sees of it: every update (noted, with its order),
 * `settled()` and `reached('confirmed')`, for {@link checkTracks} to judge against `truth`.
 */
export function recordTrack(
  tracker: Tracker,
  chain: 'ton' | 'solana',
  id: string,
  truth: () => TrackTruth,
  context: SeedContext,
  signal?: AbortSignal,
): TrackRecord {
  const tx = tracker.track({ chain, id, ...(signal ? { signal } : {}) })
  const updates: LifecycleUpdate[] = []
  const updateOrders: number[] = []
  tx.on('update', (update) => {
    updates.push(update)
    updateOrders.push(nextOrder())
    context.note(
      `update ${chain} ${id.slice(0, 10)} ${update.tier}/${update.outcome}/${update.watch}${update.terminal ? ` terminal ${update.terminal.kind}` : ''} (${update.providerStatus}, ${update.source})`,
    )
  })
  return {
    chain,
    id,
    updates,
    updateOrders,
    settled: observe(tx.settled()),
    reached: observe(tx.reached(REACHED_TIER)),
    reachedTier: REACHED_TIER,
    truth,
  }
}

/**
 * Whether a track is over as far as the run must wait: settled and reached, or a trace retracted before
 * the consumer ever saw it (see `owedOnlyIfSeen`), which owes no terminal and may stay open.
 */
export function trackDone(record: TrackRecord): boolean {
  const owesNothing = record.truth().owedOnlyIfSeen && !record.updates.some((u) => u.tier !== 'unknown')
  return (record.settled.state !== 'pending' && record.reached.state !== 'pending') || owesNothing
}

/** What the consumer had before `close()` (closing cancels open tracks, which is not the chain's doing). */
export function tracksSoFar<T extends TrackRecord>(records: readonly T[]): T[] {
  return records.map((r) => ({
    ...r,
    updates: [...r.updates],
    updateOrders: [...r.updateOrders],
    settled: { ...r.settled },
    reached: { ...r.reached },
  }))
}
