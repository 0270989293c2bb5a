import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TraceReconciliation } from './trace-reconciliation.js'
import { FINALIZED, TrackedTraces } from './tracked-traces.js'

// Which traces a period picks and when it runs; the look-ups themselves are tested over the simulator
// (trace-reconciliation.test.ts). Here they are only recorded.
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

function setup(ids: string[], reconcileMaxTraces = 100) {
  const traces = new TrackedTraces(true)
  for (const id of ids) traces.add(id)
  const looked: string[][] = []
  const reconciliation = new TraceReconciliation(
    { reconcileAfterMs: 1_000, reconcileMaxTraces },
    traces,
    {
      start: (picked, mode) => {
        expect(mode).toBe('reconcile')
        looked.push([...picked])
      },
    },
    () => true,
  )
  return { traces, looked, reconciliation }
}

describe('TraceReconciliation periods', () => {
  it('looks up the traces not seen finalized that did not change during the whole period', () => {
    const { traces, looked, reconciliation } = setup(['a', 'b', 'c', 'd'])
    reconciliation.arm()
    traces.raise('d', FINALIZED)
    vi.advanceTimersByTime(999)
    traces.raise('b', 1) // moved during the period
    expect(looked).toEqual([])
    vi.advanceTimersByTime(1)
    expect(looked).toEqual([['a', 'c']])
    vi.advanceTimersByTime(1_000)
    expect(looked[1]).toEqual(['a', 'b', 'c'])
    reconciliation.close()
    vi.advanceTimersByTime(5_000)
    expect(looked).toHaveLength(2)
  })

  it('takes at most reconcileMaxTraces a period, in turn', () => {
    const { looked, reconciliation } = setup(['a', 'b', 'c', 'd', 'e'], 2)
    reconciliation.arm()
    vi.advanceTimersByTime(3_000)
    expect(looked).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'a'],
    ])
    reconciliation.close()
  })

  it('puts a period off while the stream delivers, at most twice in a row', () => {
    const { looked, reconciliation } = setup(['a'])
    reconciliation.arm()
    const busy = setInterval(() => reconciliation.delivered(), 100)
    vi.advanceTimersByTime(2_000)
    expect(looked).toEqual([])
    vi.advanceTimersByTime(1_000)
    expect(looked).toEqual([['a']])
    clearInterval(busy)
    // Quiet: the next period runs on time.
    vi.advanceTimersByTime(1_000)
    expect(looked).toEqual([['a'], ['a']])
    reconciliation.close()
  })

  it('now() looks up every trace not seen finalized at once, changed or not', () => {
    const { traces, looked, reconciliation } = setup(['a', 'b'])
    reconciliation.arm()
    traces.raise('a', 2)
    reconciliation.now()
    expect(looked).toEqual([['a', 'b']])
    reconciliation.close()
  })
})
