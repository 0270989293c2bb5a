import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLifecycleState } from './lifecycle-machine.js'
import type { LifecycleState } from './lifecycle-state.js'
import { type LifecycleUpdate, updateOf } from './lifecycle-update.js'

/** The fields of an update, in the order the type lists them (and every update is built in). */
const ORDER: readonly (keyof LifecycleUpdate)[] = [
  'id',
  'chain',
  'tier',
  'outcome',
  'terminal',
  'watch',
  'watchReason',
  'target',
  'providerStatus',
  'source',
  'at',
  'elapsedMs',
  'tierReachedAt',
  'error',
  'reachedTarget',
  'data',
]

describe('updateOf', () => {
  it('describes the state, with the present fields only, always in the same order', () => {
    const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined })
    fc.assert(
      fc.property(
        fc.record({
          terminal: optional(
            fc.constant({
              kind: 'finalized' as const,
              at: 5,
              providerStatus: 'f',
              source: 'stream' as const,
            }),
          ),
          watchReason: optional(fc.string()),
          providerStatus: optional(fc.string()),
          source: optional(fc.constantFrom('stream' as const, 'snapshot' as const)),
          error: optional(fc.string()),
          reachedTarget: fc.boolean(),
          data: optional(fc.integer()),
        }),
        (extras) => {
          const base = createLifecycleState({ id: 'x', chain: 'c', startedAt: 1 })
          const state: LifecycleState = { ...base, updatedAt: 4 }
          const draft = state as { -readonly [K in keyof LifecycleState]: LifecycleState[K] }
          if (extras.terminal) draft.terminal = extras.terminal
          if (extras.watchReason !== undefined) draft.watchReason = extras.watchReason
          if (extras.providerStatus !== undefined) draft.providerStatus = extras.providerStatus
          if (extras.source !== undefined) draft.source = extras.source
          if (extras.error !== undefined) draft.error = extras.error
          const update = updateOf(state, extras.reachedTarget, extras.data)
          const present = ORDER.filter((key) => {
            if (key === 'reachedTarget') return extras.reachedTarget
            if (key === 'data') return extras.data !== undefined
            if (key === 'at' || key === 'elapsedMs') return true
            return (state as unknown as Record<string, unknown>)[key] !== undefined
          })
          expect(Object.keys(update)).toEqual(present)
          expect(update.at).toBe(4)
          expect(update.elapsedMs).toBe(3)
          expect(update.providerStatus).toBe(state.providerStatus)
          expect(update.terminal).toBe(state.terminal)
          expect(update.data).toBe(extras.data)
        },
      ),
    )
  })
})
