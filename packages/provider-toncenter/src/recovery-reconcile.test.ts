import { afterEach, describe, expect, it } from 'vitest'
import {
  audit,
  CLEAN,
  interceptFrames,
  quiescent,
  seededPicks,
  slowLink,
} from './recovery-audit.test-helper.js'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import type { TonStreamOptions } from './stream-options.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'reconcile-key-0001'
const PAD = 'x'.repeat(64 * 1024)

/**
 * A seeded run in which the server silently drops one notification in four for this client — what the real
 * server does when a client reads too slowly (16 frames per SSE connection, 64 per client) — and never
 * drops the connection.
 */
async function slowConsumerRun(
  transport: 'sse' | 'websocket',
  minFinality: 'pending' | 'finalized',
  reconcile: TonStreamOptions['reconcile'],
  seed: number,
) {
  const sim = await harness.start({ seed })
  const account = sim.addresses[0] as string
  const since = sim.ledger.mark()
  // One frame in four, from a seeded offset: many losses, of every kind, wherever the seed puts them.
  const offset = seededPicks(seed, 1, 4)[0] as number
  let frames = 0
  let skipped = 0
  interceptFrames(sim, () => {
    if ((++frames + offset) % 4 !== 0) return 'deliver'
    skipped++
    return 'skip'
  })
  const stream = harness.track(
    createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
      transport,
      types: ['transactions', 'actions'],
      addresses: [account],
      minFinality,
      reconnect: FAST_RECONNECT,
      recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
      ...(reconcile ? { reconcile } : {}),
    }),
  )
  const seen = record(stream)
  await stream.waitSubscribed({ timeoutMs: 5_000 })
  await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
  await settle(150)
  const scenario = { seed, invalidationRate: 0.2, failureRate: 0.1 }
  for (let round = 0; round < 10; round++) {
    await sim.step(4, scenario)
    await settle(30)
  }
  await sim.stop({ finish: true })
  await quiescent(
    () => seen.events.length,
    () => stream.state === 'subscribed',
    700,
  )
  return { sim, stream, seen, skipped, report: audit(sim, seen.events, { account, minFinality, since }) }
}

for (const transport of ['sse', 'websocket'] as const) {
  for (const minFinality of ['pending', 'finalized'] as const) {
    describe(`reconciliation over ${transport}, ${minFinality} subscription`, () => {
      it('delivers what the server dropped for a slow client, once, as reconciled, and counts it', async () => {
        for (const seed of [5, 9]) {
          const { stream, seen, skipped, report } = await slowConsumerRun(
            transport,
            minFinality,
            { everyMs: 200 },
            seed,
          )
          expect(skipped).toBeGreaterThan(3)
          expect({ seed, ...report }).toMatchObject({ seed, ...CLEAN })
          expect(report.expected).toBeGreaterThan(8)
          const reconciled = seen.events.filter((e) => e.source === 'reconciled').length
          expect(reconciled).toBeGreaterThan(0)
          expect(stream.counters.reconciled).toBe(reconciled)
          // Nothing was dropped by a connection: no gap, nothing backfilled.
          expect(seen.events.some((e) => e.source === 'backfill')).toBe(false)
          await harness.cleanup()
        }
      })
    })
  }
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`reconciliation over ${transport}, behind the server's send buffers`, () => {
    it("closes the gap a stalled reader's overflowing send buffer opens (16 frames per SSE connection, 64 per client)", async () => {
      const sim = await harness.start()
      const link = await slowLink(sim.url)
      try {
        const [a, b] = sim.addresses as [string, string]
        const since = sim.ledger.mark()
        const stream = harness.track(
          createToncenter({ apiKey: KEY, baseUrl: link.url, v3BaseUrl: sim.toncenter.v3BaseUrl }).stream({
            transport,
            types: ['transactions', 'actions'],
            addresses: [a],
            minFinality: 'finalized',
            recovery: { notFoundGraceMs: 0, recheckIntervalMs: 300 },
            reconcile: { everyMs: 300 },
          }),
        )
        const seen = record(stream)
        await stream.waitSubscribed({ timeoutMs: 5_000 })
        await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
        await settle(150)
        const session = sim.sessions.at(-1)!
        link.pause()
        // Fill the socket, so that what follows waits in the server's buffers, and overflows them.
        for (let i = 0; session.queued === 0; i++) {
          if (i > 4_000) throw new Error('the socket never pushed back')
          await sim.broadcast({ type: 'padding', pad: PAD })
        }
        for (let i = 0; i < 40; i++) await sim.emitTrace({ addresses: [a, b] }).finish()
        const reason = transport === 'sse' ? 'connection-buffer' : 'client-buffer'
        const lost = session.dropped.filter((d) => d.reason === reason && d.type !== 'padding')
        expect(lost.length).toBeGreaterThan(10)
        link.resume()
        await quiescent(
          () => seen.events.length,
          () => stream.state === 'subscribed',
          1_000,
          20_000,
        )
        const report = audit(sim, seen.events, { account: a, minFinality: 'finalized', since })
        expect(report).toMatchObject(CLEAN)
        expect(report.expected).toBe(80)
        const reconciled = seen.events.filter((e) => e.source === 'reconciled').length
        expect(reconciled).toBeGreaterThanOrEqual(lost.length)
        expect(stream.counters.reconciled).toBe(reconciled)
        expect(sim.sessions).toHaveLength(1) // no reconnect: only reconciliation could find them
      } finally {
        await link.close()
      }
    })
  })
}

describe('reconciliation', () => {
  it('is what closes that gap: without it the same run loses final events', async () => {
    const { report, stream } = await slowConsumerRun('websocket', 'finalized', undefined, 5)
    expect(report.lost.length).toBeGreaterThan(0)
    expect(stream.counters.reconciled).toBe(0)
  })

  it('reports an invalidation the server sent and the client never received', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        types: ['transactions'],
        addresses: [a],
        minFinality: 'pending',
        recovery: { notFoundGraceMs: 50 },
        reconcile: { everyMs: 150 },
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
    await doomed.advance()
    await until(() => seen.events.length === 1)
    interceptFrames(sim, (frame) => (frame.type === 'trace_invalidated' ? 'skip' : 'deliver'))
    await doomed.advance()
    await until(() => seen.events.length === 2, 3_000, 'the invalidation, reconciled')
    expect(seen.events[1]).toMatchObject({
      type: 'trace_invalidated',
      trace_external_hash_norm: doomed.traceExternalHashNorm,
      source: 'reconciled',
    })
    expect(stream.counters.reconciled).toBe(1)
  })

  it('validates its options with clear messages', () => {
    const toncenter = createToncenter({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9' })
    const base = { types: ['transactions'] as const, addresses: ['0:' + 'AB'.repeat(32)], autoStart: false }
    const attempt = (extra: Record<string, unknown>) => () =>
      toncenter.stream({ ...base, types: [...base.types], ...extra } as TonStreamOptions)
    expect(attempt({ reconcile: { everyMs: 20 } })).toThrow(
      expect.objectContaining({
        code: 'InvalidArgument',
        message: expect.stringContaining('reconcile.everyMs: must be at least 100 ms'),
      }),
    )
    expect(attempt({ reconcile: { everyMs: '30s' } })).toThrow(
      /reconcile\.everyMs: must be a number of milliseconds/,
    )
    expect(attempt({ reconcile: 30_000 })).toThrow(/reconcile: must be an object like \{ everyMs: 30_000 \}/)
    expect(attempt({ reconcile: { everyMs: 1_000, every: 5 } })).toThrow(
      /reconcile: Unrecognized key: "every"/,
    )
    expect(attempt({ reconcile: { everyMs: 1_000 }, recovery: 'off' })).toThrow(/reconcile: needs recovery/)
    expect(attempt({ recovery: { horizonSeconds: 0 } })).toThrow(
      /recovery\.horizonSeconds: must be at least 1/,
    )
    expect(attempt({ recovery: { recheckIntervalMs: 10 } })).toThrow(
      /recovery\.recheckIntervalMs: must be at least 100 ms/,
    )
    expect(attempt({ reconcile: { everyMs: 1_000 }, recovery: { horizonSeconds: 120 } })).not.toThrow()
  })
})
