import type { LifecycleUpdate } from '@chainstream/core'
import type { Settled } from '../harness/wait.js'
import type { Violations } from './violation.js'

const TIER_RANK: Readonly<Record<string, number>> = {
  unknown: 0,
  pending: 1,
  included: 2,
  confirmed: 3,
  finalized: 4,
}

/** What really happened to one tracked id, from the simulators' ledgers. */
export interface TrackTruth {
  /** The highest tier the chain reached (neutral tiers). */
  readonly highestTier: string
  /** How the story ended on chain. */
  readonly ending: 'finalized' | 'failed' | 'invalidated'
  /** Whether it executed with an error. */
  readonly failed: boolean
  /**
   * A terminal is owed only if the consumer ever saw the transaction. True for a TON trace that was
   * invalidated: one created and retracted entirely while the client was away is indistinguishable, in
   * API v3, from one not broadcast yet — no client can tell, so no terminal is owed for it.
   */
  readonly owedOnlyIfSeen: boolean
  readonly describe: string
}

/** One track as the scenario saw it. */
export interface TrackRecord {
  readonly chain: string
  readonly id: string
  readonly updates: readonly LifecycleUpdate[]
  /** {@link nextOrder} when each update arrived. */
  readonly updateOrders: readonly number[]
  readonly settled: Settled<LifecycleUpdate>
  readonly reached: Settled<LifecycleUpdate>
  readonly reachedTier: string
  /** {@link nextOrder} when the track's signal was aborted, if it was. */
  readonly abortedOrder?: number
  truth(): TrackTruth
}

/**
 * Exactly one terminal per tracked id (or, for an aborted track, the abort), tiers never backwards,
 * terminals and outcomes as the chain had them, and promises that agree with the updates.
 */
export function checkTracks(tracks: readonly TrackRecord[], violations: Pick<Violations, 'add'>): void {
  for (const track of tracks) {
    const name = `${track.chain} ${track.id.slice(0, 10)}`
    const truth = track.truth()
    const terminals = track.updates.filter((u) => u.terminal !== undefined)
    const endIndex = track.updates.findIndex(
      (u) => u.terminal !== undefined || (u.watch !== 'watching' && u.watch !== 'reached'),
    )
    if (endIndex >= 0 && endIndex < track.updates.length - 1) {
      violations.add(
        'terminal-count',
        `${name}: ${track.updates.length - 1 - endIndex} update(s) after its end`,
      )
    }
    if (terminals.length > 1)
      violations.add('terminal-count', `${name}: ${terminals.length} terminal updates`)
    const terminalIndex = track.updates.findIndex((u) => u.terminal !== undefined)
    const abortedFirst =
      track.abortedOrder !== undefined &&
      (terminalIndex < 0 || (track.updateOrders[terminalIndex] ?? 0) > track.abortedOrder)
    const last = track.updates.at(-1)
    if (abortedFirst) {
      if (last?.watch !== 'aborted' && terminals.length === 0) {
        violations.add(
          'terminal-count',
          `${name}: aborted, but its last update says watch ${last?.watch ?? 'none'}`,
        )
      }
    } else if (
      terminals.length === 0 &&
      !(truth.owedOnlyIfSeen && !track.updates.some((u) => u.tier !== 'unknown'))
    ) {
      violations.add(
        'terminal-count',
        `${name}: no terminal; last update ${last ? `${last.tier}/${last.outcome}/${last.watch} (${last.providerStatus}, ${last.source})` : 'none'}; the chain: ${truth.describe}`,
      )
    }

    let best = 0
    let bestTier = ''
    let previous: LifecycleUpdate | undefined
    for (const update of track.updates) {
      // An update says something changed: one that repeats the last one's state is a double.
      if (previous && sameState(previous, update)) {
        violations.add(
          'duplicate',
          `${name}: ${update.tier}/${update.outcome}/${update.watch} (${update.source}) reported twice in a row`,
        )
      }
      previous = update
      const rank = TIER_RANK[update.tier] ?? 0
      if (rank < best)
        violations.add('regression', `${name}: tier ${update.tier} (${update.source}) after ${bestTier}`)
      if (rank > best) {
        best = rank
        bestTier = update.tier
      }
      if (rank > (TIER_RANK[truth.highestTier] ?? 0)) {
        violations.add(
          'phantom',
          `${name}: tier ${update.tier} (${update.providerStatus}, ${update.source}); the chain reached ${truth.highestTier}`,
        )
      }
      if (update.outcome === 'success' && truth.failed) {
        violations.add(
          'wrong-outcome',
          `${name}: outcome success at ${update.tier} (${update.source}) for a failed transaction`,
        )
      }
      if (update.outcome === 'failure' && !truth.failed) {
        violations.add(
          'wrong-outcome',
          `${name}: outcome failure at ${update.tier} (${update.source}); it did not fail (${truth.describe})`,
        )
      }
    }
    const terminal = terminals[0]?.terminal
    if (terminal) {
      const expected = truth.ending
      const kindOk =
        terminal.kind === expected ||
        // A failure may end the story below finalized (Solana `failed`) or at it (outcome failure).
        (expected === 'failed' && terminal.kind === 'finalized') ||
        (expected === 'finalized' && truth.failed && terminal.kind === 'failed')
      if (!kindOk) {
        violations.add(
          'wrong-outcome',
          `${name}: terminal ${terminal.kind} (${terminal.providerStatus}, ${terminal.source}); the chain: ${truth.describe}`,
        )
      }
    }

    // The promises must agree with the updates.
    if (track.settled.state === 'resolved' && !terminal) {
      violations.add('wrong-outcome', `${name}: settled() resolved without a terminal update`)
    }
    if (track.settled.state === 'pending' && (terminal || endIndex >= 0)) {
      violations.add('terminal-count', `${name}: the track ended but settled() is still pending`)
    }
    checkReached(track, name, truth, violations)
  }
}

function checkReached(
  track: TrackRecord,
  name: string,
  truth: TrackTruth,
  violations: Pick<Violations, 'add'>,
): void {
  const { reached, reachedTier, abortedOrder } = track
  if (reached.state === 'resolved') {
    if (abortedOrder !== undefined && (reached.order ?? 0) > abortedOrder) {
      violations.add(
        'abort-resolved',
        `${name}: reached(${reachedTier}) resolved after the track was aborted`,
      )
    }
    if (truth.failed)
      violations.add('wrong-outcome', `${name}: reached(${reachedTier}) resolved for a failed transaction`)
    if (
      truth.ending === 'invalidated' &&
      (TIER_RANK[truth.highestTier] ?? 0) < (TIER_RANK[reachedTier] ?? 0)
    ) {
      violations.add(
        'phantom',
        `${name}: reached(${reachedTier}) resolved; the trace was invalidated at ${truth.highestTier}`,
      )
    }
    return
  }
  if (reached.state === 'rejected') {
    const code = (reached.error as { code?: string } | undefined)?.code
    const shouldResolve = !truth.failed && truth.ending !== 'invalidated' && abortedOrder === undefined
    if (shouldResolve) {
      violations.add(
        'wrong-outcome',
        `${name}: reached(${reachedTier}) rejected ${code}; the chain: ${truth.describe}`,
      )
    }
    if (code === 'Aborted' && abortedOrder === undefined) {
      violations.add('wrong-outcome', `${name}: reached(${reachedTier}) rejected Aborted without an abort`)
    }
  }
}

function sameState(a: LifecycleUpdate, b: LifecycleUpdate): boolean {
  return (
    a.tier === b.tier &&
    a.outcome === b.outcome &&
    a.watch === b.watch &&
    a.terminal?.kind === b.terminal?.kind
  )
}
