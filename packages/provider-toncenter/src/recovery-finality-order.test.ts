import type { TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import type { TonFinality } from './protocol/event-types.js'
import {
  audit,
  CLEAN,
  interceptFrames,
  openStream,
  type Profile,
  quiescent,
  seededPicks,
} from './recovery-audit.test-helper.js'
import { FAST_RECONNECT, label, record, settle, simulatorHarness, until } from './simulator.test-helper.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'order-key-0001'

/** The baseline's first API v3 read happened; give the rest of it a moment on loopback. */
async function baselined(sim: TonSimulator): Promise<void> {
  await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
  await settle(150)
}

for (const profile of ['toncenter', 'tonapi'] as const satisfies readonly Profile[]) {
  for (const transport of ['sse', 'websocket'] as const) {
    describe(`recovery over ${transport} (${profile})`, () => {
      it('delivers a long trace that finalizes during the gap after a later, shorter trace on the same account finalized (finalized-only)', async () => {
        const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
        const [a, b] = sim.addresses as [string, string]
        const since = sim.ledger.mark()
        const stream = harness.track(
          openStream(sim, profile, KEY, {
            transport,
            types: ['transactions', 'actions'],
            addresses: [a],
            minFinality: 'finalized',
            reconnect: FAST_RECONNECT,
            recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
          }),
        )
        const seen = record(stream)
        await stream.waitSubscribed({ timeoutMs: 5_000 })
        await baselined(sim)

        // Planned first, so its transactions have the lower LTs; it stays short of final.
        const long = sim.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] })
        await long.advance()
        await long.advance()
        const short = sim.emitTrace({ addresses: [a, b] })
        await short.finish()
        await until(() => seen.events.length === 2, 5_000, 'the short trace')
        expect(
          seen.events.every(
            (e) =>
              'trace_external_hash_norm' in e && e.trace_external_hash_norm === short.traceExternalHashNorm,
          ),
        ).toBe(true)

        sim.dropConnections()
        await long.advance() // finalized while nobody is connected
        await until(() => seen.events.length === 4, 8_000, 'the long trace, recovered')
        await settle(300)
        const recovered = seen.events.slice(2)
        expect(recovered.map((e) => label(e, true)).sort()).toEqual(
          [
            `actions finalized backfill ${long.traceExternalHashNorm.slice(0, 8)}`,
            `transactions finalized backfill ${long.traceExternalHashNorm.slice(0, 8)}`,
          ].sort(),
        )
        const report = audit(sim, seen.events, { account: a, minFinality: 'finalized', since })
        expect(report).toMatchObject(CLEAN)
        expect(report.expected).toBe(4)
      })
    })
  }
}

for (const transport of ['sse', 'websocket'] as const) {
  for (const minFinality of ['finalized', 'pending'] as const satisfies readonly TonFinality[]) {
    describe(`recovery over ${transport}, ${minFinality} subscription`, () => {
      it('ends seeded scenarios cut at seeded frames with 0 final events lost, 0 duplicates, no finality backwards', async () => {
        for (const seed of [3, 8, 21]) {
          const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 60, seed })
          const account = sim.addresses[0] as string
          const since = sim.ledger.mark()
          // Cuts fall anywhere: between stages, between the transactions and actions of one stage, …
          const cuts = new Set(seededPicks(seed, 4, minFinality === 'pending' ? 40 : 10))
          let frames = 0
          interceptFrames(sim, () => (cuts.has(++frames) ? 'cut' : 'deliver'))
          const stream = harness.track(
            openStream(sim, 'toncenter', KEY, {
              transport,
              types: ['transactions', 'actions'],
              addresses: [account],
              minFinality,
              reconnect: FAST_RECONNECT,
              recovery: { notFoundGraceMs: 0, recheckIntervalMs: 150 },
            }),
          )
          const seen = record(stream)
          await stream.waitSubscribed({ timeoutMs: 5_000 })
          await baselined(sim)
          const scenario = { seed, invalidationRate: 0.2, failureRate: 0.1 }
          for (let round = 0; round < 12; round++) {
            await sim.step(3, scenario)
            await settle(30)
            // Mostly connected: the next cut must find a connection to fall on.
            await until(() => stream.state === 'subscribed', 5_000, 'reconnect')
          }
          await sim.stop({ finish: true })
          await quiescent(
            () => seen.events.length,
            () => stream.state === 'subscribed',
            700,
          )
          const report = audit(sim, seen.events, { account, minFinality, since })
          expect({ seed, ...report }).toMatchObject({ seed, ...CLEAN })
          expect(report.expected).toBeGreaterThan(8)
          expect(frames).toBeGreaterThanOrEqual(Math.max(...cuts))
          await harness.cleanup()
        }
      })
    })
  }
}

describe('recovery and traces that predate the subscription', () => {
  it('never delivers what settled before the subscription, and delivers the later finality of a trace that was confirmed then', async () => {
    for (const transport of ['sse', 'websocket'] as const) {
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
      const [a, b] = sim.addresses as [string, string]
      // Before anyone subscribes: two traces finalized, one left confirmed.
      await sim.emitTrace({ addresses: [a, b] }).finish()
      await sim.emitTrace({ addresses: [b, a], actionTypes: ['jetton_transfer'] }).finish()
      const early = sim.emitTrace({ addresses: [a, b] })
      await early.advance()
      await early.advance()
      const since = sim.ledger.mark()

      const stream = harness.track(
        openStream(sim, 'toncenter', KEY, {
          transport,
          types: ['transactions', 'actions'],
          addresses: [a],
          minFinality: 'confirmed',
          reconnect: FAST_RECONNECT,
          recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.traces ?? 0) >= 1, 5_000, 'baseline look-up of recent traces')
      await settle(150)

      sim.dropConnections()
      await early.advance() // finalized during the gap
      const during = sim.emitTrace({ addresses: [a, b] })
      await during.finish()
      await until(() => seen.events.length >= 4, 8_000, 'recovered events')
      await settle(400)
      expect(seen.events.map((e) => label(e, true)).sort()).toEqual(
        [
          `actions finalized backfill ${during.traceExternalHashNorm.slice(0, 8)}`,
          `transactions finalized backfill ${during.traceExternalHashNorm.slice(0, 8)}`,
          `actions finalized backfill ${early.traceExternalHashNorm.slice(0, 8)}`,
          `transactions finalized backfill ${early.traceExternalHashNorm.slice(0, 8)}`,
        ].sort(),
      )
      expect(audit(sim, seen.events, { account: a, minFinality: 'confirmed', since })).toMatchObject(CLEAN)
      await harness.cleanup()
    }
  })
})
