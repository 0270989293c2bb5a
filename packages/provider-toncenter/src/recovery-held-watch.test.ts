import type { TonSimulator } from '@chainstream/testkit'
import { trackTimers } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { audit, CLEAN } from './recovery-audit.test-helper.js'
import { FAST_RECONNECT, label, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import type { TonStream } from './ton-stream.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'held-watch-key-0001'

/** Drops the connection and waits until the stream is subscribed on a new one and its first re-check ran. */
async function reconnect(sim: TonSimulator, stream: TonStream): Promise<void> {
  const sessions = sim.sessions.length
  const lookups = sim.v3Calls.traces ?? 0
  sim.dropConnections()
  await until(() => sim.sessions.length > sessions && stream.state === 'subscribed', 5_000, 'reconnect')
  await until(() => (sim.v3Calls.traces ?? 0) > lookups, 5_000, 're-check after the reconnect')
  await settle(100)
}

function open(sim: TonSimulator, transport: 'sse' | 'websocket', account: string, extra = {}) {
  return harness.track(
    createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
      transport,
      types: ['transactions', 'actions'],
      addresses: [account],
      minFinality: 'pending',
      reconnect: FAST_RECONNECT,
      recovery: { notFoundGraceMs: 100, recheckIntervalMs: 200 },
      ...extra,
    }),
  )
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`held traces over ${transport}`, () => {
    for (const reconnects of [1, 3]) {
      it(`reports the invalidation of a trace delivered pending, then invalidated after ${reconnects} reconnect(s)`, async () => {
        const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 150 })
        const [a, b] = sim.addresses as [string, string]
        const since = sim.ledger.mark()
        const stream = open(sim, transport, a)
        const seen = record(stream)
        await stream.waitSubscribed({ timeoutMs: 5_000 })
        const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
        const settles = sim.emitTrace({ addresses: [a, b] })
        await doomed.advance()
        await settles.advance()
        await until(() => seen.events.length === 4, 5_000, 'pending snapshots')
        for (let i = 0; i < reconnects; i++) await reconnect(sim, stream)
        expect(seen.events).toHaveLength(4)

        await doomed.advance()
        await settles.finish()
        // The server tells only the connection that saw the trace, and that one is gone.
        expect(
          sim.sessions.at(-1)?.sent.some((m) => (m as { type?: string }).type === 'trace_invalidated'),
        ).toBe(false)
        await until(
          () => seen.events.some((e) => e.type === 'trace_invalidated'),
          3_000,
          'the invalidation, from the re-check',
        )
        await settle(300)
        expect(seen.events.slice(4).map((e) => label(e, true))).toEqual(
          expect.arrayContaining([
            `trace_invalidated snapshot ${doomed.traceExternalHashNorm.slice(0, 8)}`,
            `transactions finalized stream ${settles.traceExternalHashNorm.slice(0, 8)}`,
            `actions finalized stream ${settles.traceExternalHashNorm.slice(0, 8)}`,
          ]),
        )
        expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
      })
    }

    it('watches a trace that recovery delivered at confirmed, and reports its later invalidation', async () => {
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
      const [a, b] = sim.addresses as [string, string]
      const since = sim.ledger.mark()
      const stream = open(sim, transport, a)
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
      await settle(150)
      const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'invalidated'] })
      sim.dropConnections()
      await doomed.advance()
      await doomed.advance() // confirmed while disconnected: only recovery can deliver it
      await until(() => seen.events.length === 2, 8_000, 'the backfilled confirmed snapshots')
      expect(seen.events.map((e) => label(e))).toEqual([
        'transactions confirmed backfill',
        'actions confirmed backfill',
      ])
      await settle(300)
      await doomed.advance()
      await until(() => seen.events.length === 3, 3_000, 'the invalidation')
      expect(label(seen.events[2]!, true)).toBe(
        `trace_invalidated snapshot ${doomed.traceExternalHashNorm.slice(0, 8)}`,
      )
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })
  })
}

describe('held traces', () => {
  it('does not look up traces the current connection reports on by itself', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = open(sim, 'websocket', a)
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    for (let i = 0; i < 3; i++) await sim.emitTrace({ addresses: [a, b] }).advance()
    await until(() => seen.events.length === 6)
    const before = { ...sim.v3Calls }
    await settle(700) // several re-check intervals
    expect(sim.v3Calls).toEqual(before)
  })

  it('bounds the watch: beyond maxWatchedTraces the oldest is released, with a diagnostic', async () => {
    const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 100 })
    const [a, b] = sim.addresses as [string, string]
    const stream = open(sim, 'websocket', a, {
      recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200, maxWatchedTraces: 2 },
    })
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    const traces = [0, 1, 2].map(() =>
      sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] }),
    )
    for (const trace of traces) await trace.advance()
    await until(() => seen.events.length === 6)
    await reconnect(sim, stream)
    for (const trace of traces) await trace.advance()
    await until(
      () => seen.events.filter((e) => e.type === 'trace_invalidated').length === 2,
      3_000,
      'invalidations',
    )
    await until(
      () => seen.diagnostics.some((d) => d.code === 'watch-overflow'),
      3_000,
      'the overflow diagnostic',
    )
    await settle(500)
    // The oldest was released: its invalidation can only come from a connection that saw it.
    expect(
      seen.events.filter((e) => e.type === 'trace_invalidated').map((e) => e.trace_external_hash_norm),
    ).toEqual([traces[1]!.traceExternalHashNorm, traces[2]!.traceExternalHashNorm])
    expect(seen.diagnostics.find((d) => d.code === 'watch-overflow')?.message).toMatch(
      /^1 traces held below finalized/,
    )
  })

  it('stops its periodic work when the stream closes, leaving no timer behind', async () => {
    const timers = trackTimers('provider-toncenter/src/recovery/')
    try {
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 100 })
      const [a, b] = sim.addresses as [string, string]
      const stream = open(sim, 'websocket', a, {
        recovery: { notFoundGraceMs: 50, recheckIntervalMs: 100 },
        reconcile: { everyMs: 100 },
      })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await sim.emitTrace({ addresses: [a, b], stages: ['pending'] }).advance()
      await until(() => seen.events.length === 2)
      await reconnect(sim, stream)
      await settle(350)
      expect(timers.created()).toBeGreaterThan(0)
      // Close while a re-check's request is on the wire: close() resolves once that work has unwound.
      sim.delayApiV3({ ms: 2_000, times: 1_000 })
      const asked = Object.values(sim.v3Calls).reduce((sum, n) => sum + n, 0)
      await until(
        () => Object.values(sim.v3Calls).reduce((sum, n) => sum + n, 0) > asked,
        3_000,
        'a slow request',
      )
      await stream.close()
      expect(await timers.live()).toBe(0)
      // A request already on the wire when the stream closed may still reach the server; nothing after it.
      await settle(50)
      const calls = JSON.stringify(sim.v3Calls)
      await settle(400)
      expect(JSON.stringify(sim.v3Calls)).toBe(calls)
    } finally {
      timers.stop()
    }
  })
})
