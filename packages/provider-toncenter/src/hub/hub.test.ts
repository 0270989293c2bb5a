import { createTracker } from '@chainstream/core'
import type { TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from '../simulator.test-helper.js'
import type { TonEvent } from '../ton-event.js'
import type { TonStream } from '../ton-stream.js'
import { createToncenter } from '../toncenter.js'

/** One upstream, many consumers: the hub of a client, through the public API, on the simulator. */

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

/** Ten deterministic raw addresses. */
const ADDRESSES = Array.from(
  { length: 10 },
  (_, i) => `0:${(i + 1).toString(16).padStart(2, '0').repeat(32)}`,
)

const subscribeMessages = (sim: TonSimulator) =>
  sim.sessions.flatMap((session) =>
    session.received
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((message) => message.operation === 'subscribe'),
  )

/** The (trace, finality) pairs of `transactions` events the ledger holds for `account`. */
function ledgerTransactionsOf(sim: TonSimulator, account: string, since: number): string[] {
  return sim.ledger
    .since(since)
    .map((entry) => entry.notification as Record<string, unknown>)
    .filter(
      (n) =>
        n.type === 'transactions' &&
        (n.transactions as { account: string }[]).some(
          (tx) => tx.account.toUpperCase() === account.toUpperCase(),
        ),
    )
    .map((n) => `${n.trace_external_hash_norm} ${n.finality}`)
    .sort()
}

const keysOf = (events: TonEvent[]) =>
  events
    .filter((e): e is TonEvent<'transactions'> => e.type === 'transactions')
    .map((e) => `${e.trace_external_hash_norm} ${e.finality}`)
    .sort()

describe('a hub per client', () => {
  it('a tracker following 1,000 traces and 10 streams share ONE socket; each stream gets exactly its own events', async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0001', baseUrl: sim.toncenter.baseUrl })
    const tracker = createTracker({ providers: [toncenter] })
    const mark = sim.ledger.mark()
    const streams = ADDRESSES.map((address) =>
      harness.track(
        toncenter.stream({
          transport: 'websocket',
          types: ['transactions'],
          addresses: [address],
          minFinality: 'pending',
          // The stream defaults, like the tracker's lifecycle source: same settings, same connection.
        }),
      ),
    )
    const seen = streams.map((stream) => record(stream))
    // 1,000 planned traces, tracked in one turn: the lifecycle source adds them as one batch.
    const traces = Array.from({ length: 1_000 }, (_, i) =>
      sim.emitTrace({ addresses: [ADDRESSES[i % 10] as string, ADDRESSES[(i + 3) % 10] as string] }),
    )
    const tracks = traces.map((trace) => tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm }))
    await Promise.all(streams.map((stream) => stream.waitSubscribed({ timeoutMs: 5_000 })))
    await until(
      () =>
        new Set(sim.sessions[0]?.subscription.traceExternalHashNorms).size === 1_000 &&
        (sim.sessions[0]?.subscription.addresses.length ?? 0) === 10,
      5_000,
      'the union on the server',
    )
    expect(sim.sessions).toHaveLength(1)
    // Two batches (the streams' turn and the tracker's turn), one subscribe each at most.
    const setup = subscribeMessages(sim).length
    expect(setup).toBeLessThanOrEqual(2)

    // Ten more tracks in one turn: one more subscribe.
    const more = Array.from({ length: 10 }, () => sim.emitTrace({ addresses: [ADDRESSES[0] as string] }))
    const moreTracks = more.map((trace) => tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm }))
    await until(
      () => sim.sessions[0]?.subscription.traceExternalHashNorms.length === 1_010,
      5_000,
      'the added traces',
    )
    expect(subscribeMessages(sim).length).toBe(setup + 1)

    // Events for everyone: 30 of the tracked traces run to the end.
    for (const trace of [...traces.slice(0, 20), ...more]) await trace.finish()
    await Promise.all([...tracks.slice(0, 20), ...moreTracks].map((tx) => tx.settled()))
    await settle(100)
    ADDRESSES.forEach((address, i) => {
      const events = seen[i]?.events ?? []
      const mine = keysOf(events)
      // Exactly its own events: no other account's transactions, nothing twice, nothing missing.
      expect(mine).toEqual(ledgerTransactionsOf(sim, address, mark))
      for (const event of events) {
        if (event.type !== 'transactions') continue
        for (const tx of event.transactions) expect(tx.account.toUpperCase()).toBe(address.toUpperCase())
      }
    })
    expect(sim.sessions).toHaveLength(1)
    await tracker.close()
  })

  it.each(['websocket', 'sse'] as const)(
    '%s: a tracker rides the connection of a stream with settings of its own (recovery tuned, other timings)',
    async (transport) => {
      const sim = await harness.start({ addresses: ADDRESSES })
      const toncenter = createToncenter({
        apiKey: 'hub-key-0002',
        baseUrl: sim.toncenter.baseUrl,
        lifecycle: { transport },
      })
      const stream = harness.track(
        toncenter.stream({
          transport,
          types: ['transactions'],
          addresses: [ADDRESSES[0] as string],
          minFinality: 'pending',
          recovery: { notFoundGraceMs: 50, recheckIntervalMs: 200 },
          heartbeatTimeoutMs: 20_000,
          reconnect: FAST_RECONNECT,
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const mark = sim.ledger.mark()
      const tracker = createTracker({ providers: [toncenter] })
      const trace = sim.emitTrace({ addresses: [ADDRESSES[0] as string] })
      const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
      await until(
        () =>
          sim.sessions.some(
            (session) =>
              !session.isClosed &&
              session.subscription.traceExternalHashNorms.includes(trace.traceExternalHashNorm),
          ),
        5_000,
        'the tracked trace on the server',
      )
      // One connection open, with the stream's accounts and the tracked trace (SSE re-opened it once).
      const open = sim.sessions.filter((session) => !session.isClosed)
      expect(open).toHaveLength(1)
      expect(open[0]?.subscription.addresses).toEqual([ADDRESSES[0]])
      expect(toncenter.connections).toBe(1)

      await trace.finish()
      const final = await tx.settled()
      expect(final.terminal?.kind).toBe('finalized')
      await until(
        () => keysOf(seen.events).length === ledgerTransactionsOf(sim, ADDRESSES[0] as string, mark).length,
        5_000,
        "the stream's events",
      )
      expect(keysOf(seen.events)).toEqual(ledgerTransactionsOf(sim, ADDRESSES[0] as string, mark))
      await tracker.close()
      // The stream keeps the connection the tracker leaves.
      expect(toncenter.connections).toBe(1)
      expect(stream.state).toBe('subscribed')
    },
  )

  it('a tracker with connection settings of its own keeps a connection of its own', async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({
      apiKey: 'hub-key-0003',
      baseUrl: sim.toncenter.baseUrl,
      lifecycle: { pingIntervalMs: 5_000 },
    })
    const stream = harness.track(
      toncenter.stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [ADDRESSES[0] as string],
      }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    const tracker = createTracker({ providers: [toncenter] })
    const trace = sim.emitTrace({ addresses: [ADDRESSES[0] as string] })
    tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    await until(() => toncenter.connections === 2, 5_000, "the tracker's own connection")
    await tracker.close()
  })

  it("a stream's close() removes only what no other consumer needs", async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0002', baseUrl: sim.toncenter.baseUrl })
    const open = (addresses: string[]) =>
      harness.track(
        toncenter.stream({
          transport: 'websocket',
          types: ['transactions'],
          addresses,
          minFinality: 'pending',
        }),
      )
    const [a, b, c] = ADDRESSES as [string, string, string]
    const one = open([a, b])
    const two = open([b, c])
    await Promise.all([one.waitSubscribed(), two.waitSubscribed()])
    expect(new Set(sim.sessions[0]?.subscription.addresses)).toEqual(new Set([a, b, c]))
    await one.close()
    await until(() => sim.sessions[0]?.subscription.addresses.length === 2, 3_000, 'the smaller union')
    expect(new Set(sim.sessions[0]?.subscription.addresses)).toEqual(new Set([b, c]))
    const seen = record(two)
    const trace = sim.emitTrace({ addresses: [b, a] })
    await trace.finish()
    await until(() => seen.events.length === 3, 3_000, 'three snapshots')
    expect(sim.sessions).toHaveLength(1)
    await two.close()
    await until(() => sim.connections.active === 0, 3_000, 'the last consumer closes the connection')
  })

  it('gives each stream its own finality and action filter over one connection', async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0003', baseUrl: sim.toncenter.baseUrl })
    const [a, b] = ADDRESSES as [string, string]
    const pending = harness.track(
      toncenter.stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        minFinality: 'pending',
      }),
    )
    const finalized = harness.track(
      toncenter.stream({ transport: 'websocket', types: ['transactions', 'actions'], addresses: [a] }),
    )
    const jettons = harness.track(
      toncenter.stream({
        transport: 'websocket',
        types: ['actions'],
        addresses: [a],
        actionTypes: ['jetton_transfer'],
        minFinality: 'pending',
      }),
    )
    const seenPending = record(pending)
    const seenFinalized = record(finalized)
    const seenJettons = record(jettons)
    await Promise.all([pending, finalized, jettons].map((s) => s.waitSubscribed()))
    expect(sim.sessions).toHaveLength(1)
    await sim.emitTrace({ addresses: [a, b], actionTypes: ['ton_transfer'] }).finish()
    await sim.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] }).finish()
    await until(() => seenPending.events.length === 6 && seenFinalized.events.length === 4, 3_000, 'events')
    await settle(100)
    expect(seenPending.events.map((e) => ('finality' in e ? e.finality : ''))).toEqual([
      'pending',
      'confirmed',
      'finalized',
      'pending',
      'confirmed',
      'finalized',
    ])
    expect(seenFinalized.events.every((e) => 'finality' in e && e.finality === 'finalized')).toBe(true)
    expect(seenJettons.events).toHaveLength(3)
    for (const event of seenJettons.events) {
      expect(event.type === 'actions' && event.actions.every((x) => x.type === 'jetton_transfer')).toBe(true)
    }
  })

  it('shared: false opens a connection of its own', async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0004', baseUrl: sim.toncenter.baseUrl })
    const [a] = ADDRESSES as [string]
    const streams: TonStream[] = [
      harness.track(toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: [a] })),
      harness.track(
        toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: [a], shared: false }),
      ),
    ]
    await Promise.all(streams.map((s) => s.waitSubscribed()))
    expect(sim.sessions).toHaveLength(2)
  })

  it('SSE: streams made together are one request; a later one re-opens once, and recovery covers the moment between', async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0005', baseUrl: sim.toncenter.baseUrl })
    const [a, b, c] = ADDRESSES as [string, string, string]
    const mark = sim.ledger.mark()
    const first = harness.track(
      toncenter.stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [a],
        reconnect: FAST_RECONNECT,
      }),
    )
    const second = harness.track(
      toncenter.stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [b],
        reconnect: FAST_RECONNECT,
      }),
    )
    const seenFirst = record(first)
    await Promise.all([first.waitSubscribed(), second.waitSubscribed()])
    expect(sim.sessions).toHaveLength(1)
    // A trace on `a` finalizes while the request is being re-opened for a third stream.
    const during = sim.emitTrace({ addresses: [a, b] })
    await during.advance()
    await during.advance()
    const third = harness.track(
      toncenter.stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [c],
        reconnect: FAST_RECONNECT,
      }),
    )
    const joined = third.waitSubscribed()
    await until(() => sim.sessions.length === 2 || third.state === 'subscribed', 3_000, 'the re-open')
    await during.advance()
    await joined
    const after = sim.emitTrace({ addresses: [a, c] })
    await after.finish()
    await until(() => keysOf(seenFirst.events).length === 2, 5_000, 'both finalized traces on a')
    await settle(200)
    expect(sim.sessions).toHaveLength(2)
    expect(keysOf(seenFirst.events)).toEqual(
      ledgerTransactionsOf(sim, a, mark).filter((key) => key.endsWith('finalized')),
    )
    expect(first.state).toBe('subscribed')
  })

  it("the client's close() ends every stream (with Closed) and every connection; a tracker's tracks end too", async () => {
    const sim = await harness.start({ addresses: ADDRESSES })
    const toncenter = createToncenter({ apiKey: 'hub-key-0006', baseUrl: sim.toncenter.baseUrl })
    const [a, b] = ADDRESSES as [string, string]
    const ws = toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: [a] })
    const sse = toncenter.stream({ transport: 'sse', types: ['transactions'], addresses: [b] })
    const tracker = createTracker({ providers: [toncenter] })
    const tx = tracker.track({ chain: 'ton', id: sim.emitTrace({ addresses: [a] }).traceExternalHashNorm })
    await Promise.all([ws.waitSubscribed(), sse.waitSubscribed()])
    await until(
      () =>
        toncenter.connections === 2 &&
        (sim.sessions[0]?.subscription.traceExternalHashNorms.length ?? 0) === 1,
    )
    await toncenter.close()
    expect(await ws.closed).toMatchObject({ code: 'Closed' })
    expect(await sse.closed).toMatchObject({ code: 'Closed' })
    // The track ends: its watch errored, saying why, and the outcome stays unknown.
    await expect(tx.settled()).rejects.toThrow(/The client was closed/)
    expect(tx.current).toMatchObject({ watch: 'errored', outcome: 'unknown' })
    expect([ws.state, sse.state]).toEqual(['closed', 'closed'])
    // What the connection did stays readable after the end.
    expect(ws.counters.connects).toBe(1)
    expect(ws.counters.bytes).toBeGreaterThan(0)
    expect(toncenter.connections).toBe(0)
    await until(() => sim.connections.active === 0, 3_000, 'sockets closed')
  })
})
