import type { TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { finalityRank, type TonFinality } from './protocol/event-types.js'
import { FAST_RECONNECT, label, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import type { TonEvent } from './ton-event.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'recovery-key-0001'

/** `type hash finality` of trace-scoped events and invalidations. */
function keyOf(event: { type: string; trace_external_hash_norm?: string; finality?: string }): string {
  return [event.type, event.trace_external_hash_norm, event.finality].filter(Boolean).join(' ')
}

function involves(notification: Record<string, unknown>, account: string): boolean {
  if (notification.type === 'transactions') {
    return (notification.transactions as { account: string }[]).some((tx) => tx.account === account)
  }
  if (notification.type === 'actions') {
    return (notification.actions as { accounts: string[] }[]).some((action) =>
      action.accounts.includes(account),
    )
  }
  return false
}

/**
 * What a client following `account` should end up with for the events emitted since `mark`: each
 * transactions/actions snapshot at its final finality, nothing of invalidated traces, and the invalidation
 * of each trace in `seenBefore` that was invalidated.
 */
function expectedGap(sim: TonSimulator, mark: number, account: string, seenBefore: Set<string>): Set<string> {
  const latest = new Map<string, TonFinality>()
  const invalidated = new Set<string>()
  for (const { notification } of sim.ledger.since(mark)) {
    const n = notification as unknown as Record<string, unknown> & { trace_external_hash_norm: string }
    if (n.type === 'trace_invalidated') {
      invalidated.add(n.trace_external_hash_norm)
      continue
    }
    if (!involves(n, account)) continue
    const key = `${n.type} ${n.trace_external_hash_norm}`
    const finality = n.finality as TonFinality
    const previous = latest.get(key)
    if (!previous || finalityRank(finality) > finalityRank(previous)) latest.set(key, finality)
  }
  const out = new Set<string>()
  for (const [key, finality] of latest) {
    if (!invalidated.has(key.split(' ')[1]!)) out.add(`${key} ${finality}`)
  }
  for (const hash of invalidated) if (seenBefore.has(hash)) out.add(`trace_invalidated ${hash}`)
  return out
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`gap recovery over ${transport}`, () => {
    it('delivers exactly what was emitted during the gap, without duplicates, and reports a trace invalidated in the gap', async () => {
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 400 })
      const [a, b] = sim.addresses as [string, string]
      const stream = harness.track(
        createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
          transport,
          types: ['transactions', 'actions'],
          addresses: [a],
          minFinality: 'pending',
          reconnect: FAST_RECONNECT,
          recovery: { notFoundGraceMs: 0 },
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')

      // Before the drop: one trace finalized, one left pending (to be invalidated), one left confirmed.
      await sim.emitTrace({ addresses: [a, b] }).finish()
      const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
      await doomed.advance()
      const settling = sim.emitTrace({ addresses: [a, b] })
      await settling.advance()
      await settling.advance()
      await until(() => seen.events.length === 12)
      const before = seen.events.length
      const seenBefore = new Set(
        seen.events.map((e) => ('trace_external_hash_norm' in e ? e.trace_external_hash_norm : '')),
      )

      // The gap: the server holds the dropped session for 400 ms, so every reconnect gets 429 meanwhile.
      const mark = sim.ledger.mark()
      sim.dropConnections()
      await doomed.advance()
      await settling.advance()
      const missed = sim.emitTrace({ addresses: [b, a], actionTypes: ['jetton_transfer'] })
      await missed.finish()
      expect(stream.state).not.toBe('subscribed')

      const expected = expectedGap(sim, mark, a, seenBefore)
      expect(expected.size).toBe(5)
      await until(() => seen.events.length >= before + expected.size, 8_000, 'recovered events')
      await settle(150)
      const recovered = seen.events.slice(before)
      expect(new Set(recovered.map(keyOf))).toEqual(expected)
      expect(recovered).toHaveLength(expected.size)
      expect(recovered.every((e) => e.source !== 'stream')).toBe(true)
      expect(recovered.find((e) => e.type === 'trace_invalidated')).toMatchObject({
        trace_external_hash_norm: doomed.traceExternalHashNorm,
        source: 'snapshot',
      })
      for (const event of recovered.filter(
        (e) => 'trace_external_hash_norm' in e && e.trace_external_hash_norm === missed.traceExternalHashNorm,
      )) {
        expect(event.source).toBe('backfill')
      }
      expect(stream.counters.backfilled).toBe(expected.size)

      // Live again, and nothing is delivered twice over the whole run.
      await sim.emitTrace({ addresses: [a, b] }).finish()
      await until(() => seen.events.length === before + expected.size + 6)
      const keys = seen.events.map(keyOf)
      expect(new Set(keys).size).toBe(keys.length)
      expect(seen.events.slice(-6).every((e) => e.source === 'stream')).toBe(true)
    })
  })
}

describe('gap recovery', () => {
  it('SSE update() re-opens the request and backfills what happened in between', async () => {
    // One connection per key, and the server holds a closed SSE session for 300 ms: the re-opened
    // request is refused (429) for that long, which is the gap.
    const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
    const [a, b, c] = sim.addresses as [string, string, string]
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [a],
        reconnect: FAST_RECONNECT,
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
    const applied = stream.update({ addresses: [a, c] })
    await until(() => stream.state !== 'subscribed')
    const during = sim.emitTrace({ addresses: [a, b] })
    await during.finish()
    await applied
    expect(JSON.parse(sim.sessions.at(-1)!.request.body)).toMatchObject({ addresses: [a, c] })
    await until(() => seen.events.length === 1, 5_000, 'backfilled trace')
    expect(seen.events.map((e) => label(e))).toEqual(['transactions finalized backfill'])
    expect(seen.events[0]).toMatchObject({ trace_external_hash_norm: during.traceExternalHashNorm })
  })

  it('re-checks held traces after a reconnect and upgrades those that settled', async () => {
    const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        transport: 'websocket',
        types: ['trace'],
        traceExternalHashNorms: ['U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='],
        minFinality: 'pending',
        reconnect: FAST_RECONNECT,
      }),
    )
    const seen = record(stream)
    const trace = sim.emitTrace({
      addresses: [a, b],
      traceExternalHashNorm: 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY=',
    })
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await trace.advance()
    await until(() => seen.events.length === 1)
    sim.dropConnections()
    await trace.advance()
    await trace.advance()
    await until(() => seen.events.length === 2, 5_000, 'upgrade')
    expect(seen.events.map((e) => label(e))).toEqual(['trace pending stream', 'trace finalized snapshot'])
  })

  it('does not mistake held pending traces for invalidated ones when more than a page of them are held', async () => {
    const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        minFinality: 'pending',
        reconnect: FAST_RECONNECT,
        recovery: { notFoundGraceMs: 0 },
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    // More pending traces than API v3 returns by default (10 per page).
    for (let i = 0; i < 15; i++) await sim.emitTrace({ addresses: [a, b] }).advance()
    await until(() => seen.events.length === 15)
    const calls = sim.v3Calls.pendingTraces ?? 0
    sim.dropConnections()
    await until(() => (sim.v3Calls.pendingTraces ?? 0) > calls, 5_000, 'pending re-check')
    await settle(100)
    expect(seen.events.filter((e) => e.type === 'trace_invalidated')).toEqual([])
  })

  it("does nothing with recovery: 'off'", async () => {
    const sim = await harness.start()
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
        recovery: 'off',
        reconnect: FAST_RECONNECT,
      }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    sim.dropConnections()
    await until(() => sim.sessions.length === 2 && stream.state === 'subscribed')
    await settle(50)
    expect(sim.v3Calls).toEqual({})
  })

  it('drops repeated and stale snapshots, unless keepAllSnapshots', async () => {
    for (const keepAllSnapshots of [false, true]) {
      const sim = await harness.start()
      const account = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
      const stream = harness.track(
        createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
          types: ['transactions'],
          addresses: [account],
          minFinality: 'pending',
          keepAllSnapshots,
          recovery: 'off',
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const frame = (finality: TonFinality) => ({
        type: 'transactions',
        finality,
        trace_external_hash_norm: 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY=',
        transactions: [
          { account, hash: 'fWxquKo7We+xjC1xmHkGDiz1pM3uvu3IZ4xLC6f4H8I=', lt: '86711284000000', now: 1 },
        ],
      })
      for (const finality of ['pending', 'confirmed', 'confirmed', 'pending', 'finalized'] as const) {
        await sim.broadcast(frame(finality))
      }
      await until(() => seen.events.length >= (keepAllSnapshots ? 5 : 3))
      await settle(50)
      const finalities = seen.events.map((e: TonEvent) => ('finality' in e ? e.finality : ''))
      if (keepAllSnapshots) {
        expect(finalities).toEqual(['pending', 'confirmed', 'confirmed', 'pending', 'finalized'])
      } else {
        expect(finalities).toEqual(['pending', 'confirmed', 'finalized'])
        expect(seen.diagnostics.map((d) => d.code)).toEqual(['stale-snapshot'])
      }
      await harness.cleanup()
    }
  })
})

describe('gap recovery under a seeded scenario', () => {
  it('ends with every trace at its true final state, each snapshot once, across a drop in the middle', async () => {
    const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
    const account = sim.addresses[0]!
    const stream = harness.track(
      createToncenter({ apiKey: KEY, baseUrl: sim.toncenter.baseUrl }).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [account],
        minFinality: 'pending',
        reconnect: FAST_RECONNECT,
        recovery: { notFoundGraceMs: 0 },
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'baseline')
    const scenario = { seed: 7, invalidationRate: 0.3, failureRate: 0.1 }
    await sim.step(15, scenario)
    await settle(100)
    sim.dropConnections()
    await sim.step(15, scenario)
    await until(() => stream.state === 'subscribed' && sim.sessions.length >= 2, 5_000, 'reconnect')
    await settle(300)
    await sim.step(10, scenario)
    await sim.stop({ finish: true })
    await settle(300)

    const keys = seen.events.map(keyOf)
    expect(new Set(keys).size).toBe(keys.length)
    const last = new Map<string, TonEvent>()
    for (const event of seen.events) {
      if ('trace_external_hash_norm' in event) last.set(event.trace_external_hash_norm, event)
    }
    let checked = 0
    for (const trace of sim.ledger.traces) {
      if (!trace.transactions.some((tx) => tx.account === account)) continue
      const final = last.get(trace.traceExternalHashNorm)
      if (trace.status === 'invalidated') {
        // Either never seen, or its story ends with the invalidation.
        if (final) expect(final.type, trace.traceExternalHashNorm).toBe('trace_invalidated')
      } else {
        expect(final && keyOf(final), trace.traceExternalHashNorm).toBe(
          `transactions ${trace.traceExternalHashNorm} ${trace.status}`,
        )
      }
      checked++
    }
    expect(checked).toBeGreaterThan(10)
    expect(seen.events.some((e) => e.source === 'backfill')).toBe(true)
  })
})
