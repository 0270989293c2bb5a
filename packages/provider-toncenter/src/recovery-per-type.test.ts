import { afterEach, describe, expect, it } from 'vitest'
import { audit, CLEAN, interceptFrames } from './recovery-audit.test-helper.js'
import { FAST_RECONNECT, label, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'per-type-key-0001'

for (const transport of ['sse', 'websocket'] as const) {
  for (const minFinality of ['pending', 'finalized'] as const) {
    describe(`recovery over ${transport}, ${minFinality} subscription`, () => {
      it("delivers a trace's finalized actions when the drop falls between its finalized transactions and its finalized actions", async () => {
        const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
        const [a, b] = sim.addresses as [string, string]
        const since = sim.ledger.mark()
        const stream = harness.track(
          createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
            transport,
            types: ['transactions', 'actions'],
            addresses: [a],
            minFinality,
            reconnect: FAST_RECONNECT,
            recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
          }),
        )
        const seen = record(stream)
        await stream.waitSubscribed({ timeoutMs: 5_000 })
        await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
        await settle(150)

        const trace = sim.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] })
        const hash = trace.traceExternalHashNorm
        // The server writes a stage as transactions, actions, trace: drop the connection in between.
        interceptFrames(sim, (frame) =>
          frame.type === 'actions' &&
          frame.finality === 'finalized' &&
          frame.trace_external_hash_norm === hash
            ? 'cut'
            : 'deliver',
        )
        await trace.finish()
        const finalActions = () =>
          seen.events.find(
            (e) => e.type === 'actions' && e.finality === 'finalized' && e.trace_external_hash_norm === hash,
          )
        await until(() => finalActions() !== undefined, 8_000, 'the finalized actions')
        await settle(300)
        expect(finalActions()?.source).not.toBe('stream')
        expect(
          seen.events
            .filter((e) => e.type === 'transactions' && e.finality === 'finalized')
            .map((e) => label(e)),
        ).toEqual(['transactions finalized stream'])
        const report = audit(sim, seen.events, { account: a, minFinality, since })
        expect(report).toMatchObject(CLEAN)
        expect(report.expected).toBe(2)
      })
    })
  }
}
