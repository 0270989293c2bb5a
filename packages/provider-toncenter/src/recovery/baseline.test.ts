import { afterEach, describe, expect, it } from 'vitest'
import { simulatorHarness } from '../simulator.test-helper.js'
import type { Backfill } from './backfill.js'
import { type BaselineStart, takeBaseline } from './baseline.js'
import { PreSubscriptionTraces } from './pre-subscription.js'
import { recoverySettings } from './recovery-options.js'
import { createV3Client } from './v3-client.js'
import { Watermarks } from './watermarks.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

describe('takeBaseline', () => {
  // A trace of two accounts, finalized before the second one was added: it predates that one. Whether the
  // backfill may forget it for good depends on the first account too, which the stream follows even while
  // its own baseline is not complete yet (API v3 failed it, say): it may still be owed the trace.
  async function baselineOfSecondAccount(firstAwaitsItsBaseline: boolean) {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b], stages: ['finalized'] })
    await trace.finish()
    const settled: string[] = []
    const deps = {
      client: createV3Client({ baseUrl: sim.toncenter.v3BaseUrl }),
      watermarks: new Watermarks(),
      phantoms: new PreSubscriptionTraces(),
      backfill: { markSettled: (id: string) => settled.push(id) } as unknown as Backfill,
      settings: recoverySettings(),
      awaitingBaseline: new Set(firstAwaitsItsBaseline ? [a] : []),
    }
    const end = Math.max(...trace.transactions.map((tx) => tx.now))
    const start: BaselineStart = {
      mark: async () => end + 10,
      rank: (mark) => (_hash, endUtime, rankNow) =>
        mark !== undefined && endUtime > mark ? undefined : rankNow,
    }
    await takeBaseline(deps, [b], true, new AbortController().signal, () => {}, start)
    return { settled, traceId: trace.traceId, deps, b, hash: trace.traceExternalHashNorm }
  }

  it('marks a trace settled when every account of it that is followed predates it', async () => {
    const { settled, traceId, deps, b, hash } = await baselineOfSecondAccount(false)
    expect(deps.phantoms.finalizedBefore(hash, [b])).toBe(true)
    expect(settled).toEqual([traceId])
  })

  it('does not, while another account of the trace is live and waiting for its baseline', async () => {
    const { settled, deps, b, hash } = await baselineOfSecondAccount(true)
    expect(deps.phantoms.finalizedBefore(hash, [b])).toBe(true)
    expect(settled).toEqual([])
  })
})
