import { afterEach, describe, expect, it } from 'vitest'
import { audit, CLEAN } from './recovery-audit.test-helper.js'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'late-baseline-key-01'

/** Takes every queued API v3 fault, so the next API v3 request is answered again. */
async function bringApiV3Back(v3BaseUrl: string, account: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const response = await fetch(`${v3BaseUrl}/transactions?account=${account}&limit=1`)
    await response.arrayBuffer()
    if (response.ok) return
  }
  throw new Error('API v3 kept failing')
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when the first baseline never completed`, () => {
    it('delivers the trace committed during a drop that came before the account had a baseline', async () => {
      // The stream is live on the account from its acknowledgement; the baseline (API v3) is what tells
      // recovery which traces predate the subscription. When API v3 is down until after a drop, the
      // baseline is taken on the next connection — after the gap — and must not count the gap's traces as
      // older than the subscription.
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 60_000 })
      const [a, b] = sim.addresses as [string, string]
      sim.failNext({ status: 500, on: 'v3', times: 400 })
      const since = sim.ledger.mark()
      const stream = harness.track(
        createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
          transport,
          types: ['transactions', 'actions'],
          addresses: [a],
          reconnect: FAST_RECONNECT,
          recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const finalized = (hash: string) =>
        seen.events.some(
          (e) =>
            e.type === 'transactions' && e.finality === 'finalized' && e.trace_external_hash_norm === hash,
        )

      const before = sim.emitTrace({ addresses: [a, b] })
      await before.finish()
      await until(() => finalized(before.traceExternalHashNorm), 5_000, 'the live trace')

      // The drop: reconnects are refused while the dropped session lingers.
      sim.dropConnections({ linger: true })
      const during = sim.emitTrace({ addresses: [a, b] })
      await during.finish()
      await settle(300)
      await bringApiV3Back(sim.toncenter.v3BaseUrl, a)
      sim.clearLinger()

      await until(() => finalized(during.traceExternalHashNorm), 10_000, "the gap's trace")
      await settle(400)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })
  })
}
