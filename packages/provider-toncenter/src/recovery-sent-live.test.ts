import { afterEach, describe, expect, it } from 'vitest'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'sent-live-key-0001'

const latestOf = (transactions: readonly { account: string; now: number }[], account?: string): number =>
  Math.max(
    0,
    ...transactions.filter((tx) => account === undefined || tx.account === account).map((tx) => tx.now),
  )

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} for an account added after a trace it shares finalized`, () => {
    it("does not bring the added account's part of a trace the live stream showed finalized before it was added", async () => {
      // The stream follows `a`; a trace from `a` to `c` finalizes and is delivered live with `a`'s part. Its
      // `c` transaction came a second later than anything the stream has seen, so by chain time alone the
      // trace looks newer than the subscription that adds `c`. But the server sent it finalized before
      // `c` was subscribed: `c`'s part predates `c`, and a backfill bringing it would deliver the
      // finalized trace a second time.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, , c] = sim.addresses as [string, string, string]
      const stream = harness.track(
        createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
          transport,
          types: ['transactions'],
          addresses: [a],
          reconnect: FAST_RECONNECT,
          recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'the first baseline')
      const finalizedOf = (hash: string) =>
        seen.events.filter(
          (e) =>
            e.type === 'transactions' && e.finality === 'finalized' && e.trace_external_hash_norm === hash,
        )

      // A trace whose `c` transaction is later than every transaction the stream has delivered.
      let hash: string | undefined
      for (let attempt = 0; attempt < 40 && hash === undefined; attempt++) {
        const trace = sim.emitTrace({ addresses: [a, c] })
        await trace.finish()
        const candidate = trace.traceExternalHashNorm
        await until(() => finalizedOf(candidate).length === 1, 5_000, 'the live trace')
        const delivered = seen.events.flatMap((e) => (e.type === 'transactions' ? e.transactions : []))
        const ledger = sim.ledger.trace(candidate)?.transactions ?? []
        if (latestOf(ledger, c) > latestOf(delivered)) hash = candidate
      }
      if (hash === undefined) throw new Error('no trace ended after what the stream had seen')
      const shared = hash

      const calls = sim.v3Calls.transactions ?? 0
      await stream.update({ addresses: [a, c] })
      await until(() => (sim.v3Calls.transactions ?? 0) > calls, 5_000, "the added account's baseline")
      await settle(300)
      // The backfill after a drop scans the window of both accounts, `c`'s part of the trace included.
      const reconnects = stream.counters.reconnects
      sim.dropConnections()
      await until(() => stream.counters.reconnects > reconnects, 5_000, 'the reconnect')
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) > calls + 1, 5_000, 'the backfill')
      await settle(500)

      expect(finalizedOf(shared).map((e) => e.source)).toEqual(['stream'])
    })
  })
}
