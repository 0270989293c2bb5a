import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateWait } from './evaluate-wait.js'
import { createLifecycleState, reduceLifecycle } from './lifecycle-machine.js'
import type { LifecycleState } from './lifecycle-state.js'
import { OUTCOMES, UPDATE_SOURCES } from './lifecycle-types.js'
import type { LifecycleUpdate } from './lifecycle-update.js'
import type { Observation } from './observation.js'
import { FINALITY_TIERS, isTierAtLeast, type ObservedTier, tierRank } from './tiers.js'

const OBSERVED: readonly ObservedTier[] = ['pending', 'included', 'confirmed', 'finalized']

const tier = fc.constantFrom(...OBSERVED)
const source = fc.constantFrom(...UPDATE_SOURCES)
const at = fc.integer({ min: 0, max: 1_000_000 })
const status = fc.constantFrom('landed', 'processed', 'confirmed', 'finalized', 'failed', 'x')

// Optional keys are left out (requiredKeys) rather than set to undefined, as exactOptionalPropertyTypes wants.
const observation: fc.Arbitrary<Observation> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('tier' as const),
      tier,
      outcome: fc.constantFrom(...OUTCOMES),
      error: fc.constantFrom('boom', { code: 1 }),
      providerStatus: status,
      source,
      at,
    },
    { requiredKeys: ['kind', 'tier', 'providerStatus', 'source', 'at'] },
  ),
  fc.record(
    { kind: fc.constant('failed' as const), tier, error: fc.string(), providerStatus: status, source, at },
    { requiredKeys: ['kind', 'providerStatus', 'source', 'at'] },
  ),
  fc.record({ kind: fc.constant('invalidated' as const), providerStatus: status, source, at }),
  fc.record(
    {
      kind: fc.constant('expired' as const),
      evidence: fc.constantFrom('block height exceeded', ''),
      notFoundAt: at,
      providerStatus: status,
      source,
      at,
    },
    { requiredKeys: ['kind', 'evidence', 'providerStatus', 'source', 'at'] },
  ) as fc.Arbitrary<Observation>,
  fc.record({ kind: fc.constant('not_found' as const), providerStatus: status, source, at }),
  fc.record({ kind: fc.constant('lookup_failed' as const), providerStatus: status, source, at }),
  fc.record(
    {
      kind: fc.constant('watch' as const),
      status: fc.constantFrom('timed_out' as const, 'aborted' as const, 'errored' as const),
      reason: fc.string(),
      providerStatus: status,
      source,
      at,
    },
    { requiredKeys: ['kind', 'status', 'at'] },
  ),
  fc.record({ kind: fc.constant('unknown_status' as const), providerStatus: status, source, at }),
  fc.record({ kind: fc.constant('stream_closed' as const), at }),
  // What a buggy provider might feed: the machine must shrug it off.
  fc.anything({ withNullPrototype: true }) as fc.Arbitrary<Observation>,
)

const scenario = fc.record({
  target: tier,
  observations: fc.array(observation, { maxLength: 40 }),
})

interface Trace {
  readonly states: LifecycleState[]
  readonly updates: LifecycleUpdate[]
}

function replay(target: ObservedTier, observations: Observation[]): Trace {
  let state = createLifecycleState({ id: 'id', chain: 'test', target, startedAt: 0 })
  const states = [state]
  const updates: LifecycleUpdate[] = []
  for (const o of observations) {
    const step = reduceLifecycle(state, o)
    expect(step.updates.length).toBeLessThanOrEqual(1)
    state = step.state
    states.push(state)
    updates.push(...step.updates)
  }
  return { states, updates }
}

const RUNS = { numRuns: 500 }

describe('lifecycle machine properties (any sequence of observations)', () => {
  it('(a) tiers in emitted updates never decrease', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        const { updates } = replay(target, observations)
        for (let i = 1; i < updates.length; i++) {
          expect(tierRank(updates[i]!.tier)).toBeGreaterThanOrEqual(tierRank(updates[i - 1]!.tier))
        }
      }),
      RUNS,
    )
  })

  it('(b) at most one update carries a terminal, and nothing is emitted after it', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        const { updates } = replay(target, observations)
        const terminalAt = updates.findIndex((u) => u.terminal !== undefined)
        expect(updates.filter((u) => u.terminal !== undefined).length).toBeLessThanOrEqual(1)
        if (terminalAt >= 0) expect(terminalAt).toBe(updates.length - 1)
      }),
      RUNS,
    )
  })

  it('(c) once the outcome is failure, no later update or state says success', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        const { states, updates } = replay(target, observations)
        const firstFailure = updates.findIndex((u) => u.outcome === 'failure')
        if (firstFailure >= 0) {
          for (const u of updates.slice(firstFailure)) expect(u.outcome).toBe('failure')
        }
        const firstFailedState = states.findIndex((s) => s.outcome === 'failure')
        if (firstFailedState >= 0) {
          for (const s of states.slice(firstFailedState)) expect(s.outcome).toBe('failure')
        }
      }),
      RUNS,
    )
  })

  it('(d) evaluateWait never resolves when the outcome is failure or the watch is aborted', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        const { states } = replay(target, observations)
        for (const state of states) {
          for (const wanted of OBSERVED) {
            const verdict = evaluateWait(state, wanted)
            if (state.outcome === 'failure' || state.watch === 'aborted')
              expect(verdict.kind).toBe('rejected')
            if (verdict.kind === 'resolved') expect(isTierAtLeast(state.tier, wanted)).toBe(true)
          }
        }
      }),
      RUNS,
    )
  })

  it('the watch becomes reached at most once, never after an abort, and only at the target without failure', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        const { states, updates } = replay(target, observations)
        expect(updates.filter((u) => u.reachedTarget).length).toBeLessThanOrEqual(1)
        for (const u of updates.filter((x) => x.reachedTarget)) {
          expect(u.watch).toBe('reached')
          expect(isTierAtLeast(u.tier, target)).toBe(true)
          expect(u.outcome).not.toBe('failure')
        }
        const aborted = states.findIndex((s) => s.watch === 'aborted')
        if (aborted >= 0) for (const s of states.slice(aborted)) expect(s.watch).toBe('aborted')
      }),
      RUNS,
    )
  })

  it('tierReachedAt has an entry for exactly the tiers reached so far', () => {
    fc.assert(
      fc.property(scenario, ({ target, observations }) => {
        for (const state of replay(target, observations).states) {
          for (const t of FINALITY_TIERS.slice(1)) {
            expect(state.tierReachedAt[t] !== undefined).toBe(isTierAtLeast(state.tier, t))
          }
        }
      }),
      RUNS,
    )
  })

  it('feeding the same observation twice emits nothing the second time (at-least-once delivery is safe)', () => {
    fc.assert(
      fc.property(scenario, observation, ({ target, observations }, repeated) => {
        const { states } = replay(target, observations)
        const last = states.at(-1)!
        const once = reduceLifecycle(last, repeated)
        const twice = reduceLifecycle(once.state, repeated)
        expect(twice.updates).toEqual([])
      }),
      RUNS,
    )
  })
})
