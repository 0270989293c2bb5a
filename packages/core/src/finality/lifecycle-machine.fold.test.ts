import { describe, expect, it } from 'vitest'
import type { Diagnostic } from '../provider/provider-v1.js'
import {
  createLifecycleState,
  foldLifecycle,
  isObservableChange,
  reduceLifecycle,
} from './lifecycle-machine.js'
import type { LifecycleState } from './lifecycle-state.js'
import type { Observation } from './observation.js'
import type { ObservedTier } from './tiers.js'

const start = (): LifecycleState =>
  createLifecycleState({ id: 'sig-1', chain: 'solana', target: 'confirmed', startedAt: 0 })

const tier = (t: ObservedTier, at: number, outcome?: 'success' | 'failure'): Observation => ({
  kind: 'tier',
  tier: t,
  providerStatus: t,
  source: 'stream',
  at,
  ...(outcome ? { outcome } : {}),
})

const notFound = (at: number): Observation => ({
  kind: 'not_found',
  providerStatus: 'not_found',
  source: 'poll',
  at,
})

// A story with every kind of step: advances, a silent duplicate, not-found counts and the duplicate that
// resets them, a regression, an outcome conflict, a time-out, the target reached, and observations after
// the terminal.
const story: Observation[] = [
  tier('pending', 1),
  tier('pending', 2),
  notFound(3),
  notFound(4),
  tier('pending', 5),
  { kind: 'watch', status: 'timed_out', reason: 'slow', at: 6 },
  tier('included', 7, 'success'),
  tier('pending', 8),
  tier('included', 9, 'failure'),
  { kind: 'lookup_failed', providerStatus: 'http 503', source: 'poll', at: 10 },
  tier('confirmed', 11, 'success'),
  { kind: 'stream_closed', at: 12 },
  tier('finalized', 13),
  { kind: 'failed', providerStatus: 'failed', source: 'stream', at: 14 },
  { kind: 'invalidated', providerStatus: 'gone', source: 'stream', at: 15 },
]

describe('foldLifecycle', () => {
  it('takes the steps reduceLifecycle takes, hands their diagnostics to the sink, and makes no update', () => {
    let folded = start()
    let reduced = start()
    for (const observation of story) {
      const sunk: Diagnostic[] = []
      const before = folded
      folded = foldLifecycle(folded, observation, (diagnostic) => sunk.push(diagnostic))
      const step = reduceLifecycle(reduced, observation)
      reduced = step.state
      expect(folded).toEqual(reduced)
      expect(sunk).toEqual(step.diagnostics)
      expect(isObservableChange(before, folded)).toBe(step.updates.length === 1)
    }
    expect(folded.terminal?.kind).toBe('finalized')
    expect(folded.outcome).toBe('failure')
  })

  it('returns the state itself when nothing changed', () => {
    const seen = foldLifecycle(start(), tier('included', 1, 'success'), () => {})
    expect(foldLifecycle(seen, tier('included', 2, 'success'), () => {})).toBe(seen)
    expect(foldLifecycle(seen, tier('pending', 3), () => {})).toBe(seen)
    expect(foldLifecycle(seen, { kind: 'stream_closed', at: 4 }, () => {})).toBe(seen)
  })
})

describe('isObservableChange', () => {
  it('is false for a changed state whose tier, outcome, terminal and watch are the same', () => {
    const seen = foldLifecycle(start(), tier('pending', 1), () => {})
    const counted = foldLifecycle(seen, notFound(2), () => {})
    expect(counted).not.toBe(seen)
    expect(counted.notFoundCount).toBe(1)
    expect(isObservableChange(seen, counted)).toBe(false)
    // The duplicate that ends the run of not-found lookups makes a new state too, and no update.
    const reset = foldLifecycle(counted, tier('pending', 3), () => {})
    expect(reset).not.toBe(counted)
    expect(reset.notFoundCount).toBe(0)
    expect(isObservableChange(counted, reset)).toBe(false)
    expect(reduceLifecycle(counted, tier('pending', 3)).updates).toEqual([])
  })

  it('is true when the tier, the outcome, the terminal or the watch changed', () => {
    const pending = foldLifecycle(start(), tier('pending', 1), () => {})
    expect(isObservableChange(start(), pending)).toBe(true)
    expect(
      isObservableChange(
        pending,
        foldLifecycle(pending, tier('pending', 2, 'success'), () => {}),
      ),
    ).toBe(true)
    const watch: Observation = { kind: 'watch', status: 'timed_out', at: 3 }
    expect(
      isObservableChange(
        pending,
        foldLifecycle(pending, watch, () => {}),
      ),
    ).toBe(true)
    const gone: Observation = { kind: 'invalidated', providerStatus: 'gone', source: 'stream', at: 4 }
    expect(
      isObservableChange(
        pending,
        foldLifecycle(pending, gone, () => {}),
      ),
    ).toBe(true)
  })
})

describe('reduceLifecycle lists', () => {
  it('shares one frozen empty list among the steps without updates or diagnostics', () => {
    const a = reduceLifecycle(start(), { kind: 'stream_closed', at: 1 })
    const b = reduceLifecycle(start(), tier('pending', 2))
    expect(a.updates).toEqual([])
    expect(Object.isFrozen(a.updates)).toBe(true)
    expect(b.diagnostics).toBe(a.diagnostics)
    expect(a.diagnostics).toBe(a.updates)
  })

  it('keeps the diagnostics of a step taken inside another step apart from it', () => {
    // A malformed observation whose kind, when shown in the diagnostic, runs a step of its own.
    let inner: readonly Diagnostic[] = []
    const kind = {
      toString() {
        inner = reduceLifecycle(start(), {
          kind: 'lookup_failed',
          providerStatus: 'x',
          source: 'poll',
          at: 1,
        }).diagnostics
        return 'strange'
      },
    }
    const outer = reduceLifecycle(start(), { kind, at: 2 } as unknown as Observation)
    expect(inner.map((d) => d.code)).toEqual(['lookup-failed'])
    expect(outer.diagnostics.map((d) => d.code)).toEqual(['invalid-observation'])
    expect(outer.diagnostics[0]?.message).toContain('strange')
  })
})
