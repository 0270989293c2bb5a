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

/** `found(picked)`: how many of the picked traces the look-up found something new of. */
function setup(ids: string[], reconcileMaxTraces = 100, found = (_picked: readonly string[]) => 0) {
  const traces = new TrackedTraces(true)
  for (const id of ids) traces.add(id)
  const looked: string[][] = []
  const reconciliation = new TraceReconciliation(
    { reconcileAfterMs: 1_000, reconcileMaxTraces },
    traces,
    {
      start: async (picked, mode) => {
        expect(mode).toBe('reconcile')
        looked.push([...picked])
        return found(picked)
      },
    },
    () => true,
  )
  return { traces, looked, reconciliation }
}

describe('TraceReconciliation periods', () => {
  it('looks up the traces not seen finalized that did not change during the whole period', async () => {
    const { traces, looked, reconciliation } = setup(['a', 'b', 'c', 'd'])
    reconciliation.arm()
    traces.raise('d', FINALIZED)
    await vi.advanceTimersByTimeAsync(999)
    traces.raise('b', 1) // moved during the period
    expect(looked).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(looked).toEqual([['a', 'c']])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(looked[1]).toEqual(['a', 'b', 'c'])
    reconciliation.close()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(looked).toHaveLength(2)
  })

  it('takes at most reconcileMaxTraces a period, in turn', async () => {
    const { looked, reconciliation } = setup(['a', 'b', 'c', 'd', 'e'], 2)
    reconciliation.arm()
    await vi.advanceTimersByTimeAsync(3_000)
    expect(looked).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'a'],
    ])
    reconciliation.close()
  })

  it('puts a period off while the stream delivers, at most twice in a row', async () => {
    const { looked, reconciliation } = setup(['a'])
    reconciliation.arm()
    const busy = setInterval(() => reconciliation.delivered(), 100)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(looked).toEqual([])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(looked).toEqual([['a']])
    clearInterval(busy)
    // Quiet: the next period runs on time.
    await vi.advanceTimersByTimeAsync(1_000)
    expect(looked).toEqual([['a'], ['a']])
    reconciliation.close()
  })

  it('after a period that confirmed losses, the next follows after a quarter period, not put off', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`)
    // Every look-up finds all it looked up: the server dropped them.
    const { looked, reconciliation } = setup(ids, 3, (picked) => picked.length)
    reconciliation.arm()
    const busy = setInterval(() => reconciliation.delivered(), 100)
    await vi.advanceTimersByTimeAsync(3_000) // two periods put off, the third runs
    expect(looked).toEqual([['t0', 't1', 't2']])
    await vi.advanceTimersByTimeAsync(250)
    expect(looked).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(500)
    expect(looked).toHaveLength(4)
    expect(looked.flat().slice(0, 10).sort()).toEqual([...ids].sort())
    clearInterval(busy)
    reconciliation.close()
  })

  it('a period that finds little goes back to whole periods', async () => {
    const ids = ['a', 'b', 'c', 'd']
    const { looked, reconciliation } = setup(ids, 2, () => 0)
    reconciliation.arm()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(looked).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(looked).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(looked).toHaveLength(2)
    reconciliation.close()
  })

  it('now() looks up every trace not seen finalized at once, changed or not', async () => {
    const { traces, looked, reconciliation } = setup(['a', 'b'])
    reconciliation.arm()
    traces.raise('a', 2)
    reconciliation.now()
    expect(looked).toEqual([['a', 'b']])
    reconciliation.close()
  })
})
