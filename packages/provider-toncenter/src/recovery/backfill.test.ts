import { afterEach, describe, expect, it } from 'vitest'
import type { TonNotification } from '../protocol/notifications.js'
import { resolveTonSubscription } from '../protocol/subscription.js'
import { simulatorHarness } from '../simulator.test-helper.js'
import { Backfill } from './backfill.js'
import { PreSubscriptionTraces } from './pre-subscription.js'
import { recoverySettings } from './recovery-options.js'
import { createV3Client } from './v3-client.js'
import { Watermarks } from './watermarks.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

describe('Backfill', () => {
  it('offers a final trace only once each of its subscribed accounts has its baseline, and then whole', async () => {
    // Accounts get their baselines at different times (one added while API v3 failed). A backfill or
    // reconciliation run in between must neither offer the trace without the waiting account's part (it
    // would then be offered again at the same finality with it: a repeat) nor mark it settled (every later
    // window would skip it, and that part would never come).
    const sim = await harness.start()
    const [a, b, c] = sim.addresses as [string, string, string]
    const trace = sim.emitTrace({ addresses: [a, b, c], stages: ['finalized'] })
    await trace.finish()
    const end = Math.max(...trace.transactions.map((tx) => tx.now))

    const watermarks = new Watermarks()
    const backfill = new Backfill({
      client: createV3Client({ baseUrl: sim.toncenter.v3BaseUrl }),
      watermarks,
      phantoms: new PreSubscriptionTraces(),
      settings: recoverySettings(),
    })
    const subscription = resolveTonSubscription({ addresses: [a, b], types: ['transactions'] })
    const delivered: TonNotification[] = []
    const host = {
      subscription: () => subscription,
      deliver: (notification: TonNotification) => {
        delivered.push(notification)
      },
      diagnostic: () => {},
      track: () => {},
    }
    const signal = new AbortController().signal
    const accountsIn = (n: TonNotification) =>
      n.type === 'transactions' ? n.transactions.map((tx) => tx.account).sort() : []

    watermarks.setBaseline([a], end - 1)
    await backfill.run([a], end - 1, 'reconciled', host, signal)
    expect(delivered.map(accountsIn)).toEqual([])

    watermarks.setBaseline([b], end - 1)
    await backfill.run([a, b], end - 1, 'reconciled', host, signal)
    expect(delivered.map(accountsIn)).toEqual([[a, b].sort()])
  })
})
