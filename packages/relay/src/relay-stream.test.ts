import type { TonEvent, TonStream } from '@chainstream/provider-toncenter'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createTonSimulator, type TonSimulator } from '@chainstream/testkit'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { cleanupsAfterEach, until } from './cleanups.test-helper.js'
import { createRelay, createRelayClient, type Relay, type RelayClient } from './index.js'
import { compareFacts, expectedFacts, factsOf } from './ledger-oracle.test-helper.js'
import { type NatsServer, startNatsServer } from './nats-server.test-helper.js'

const cleanups = cleanupsAfterEach()

async function setUp(): Promise<{ nats: NatsServer; sim: TonSimulator; relay: Relay }> {
  const nats = await startNatsServer()
  cleanups.push(() => nats.close())
  const sim = await createTonSimulator({ keepaliveMs: 0, lingerMs: 0 })
  cleanups.push(() => sim.close())
  const ton = createToncenter({ apiKey: 'relay-key', baseUrl: sim.toncenter.baseUrl })
  cleanups.push(() => ton.close())
  const relay = await createRelay({ nats: { servers: nats.url }, providers: { ton } })
  cleanups.push(() => relay.close())
  return { nats, sim, relay }
}

function client(nats: NatsServer, name?: string): RelayClient {
  const relayClient = createRelayClient({ servers: nats.url, ...(name ? { name } : {}) })
  cleanups.push(() => relayClient.close())
  return relayClient
}

function collect(stream: TonStream): TonEvent[] {
  const events: TonEvent[] = []
  stream.on('event', (event) => {
    events.push(event)
  })
  return events
}

describe('TON streams through the relay', () => {
  it('gives each consumer exactly the ledger events of its own subscription, once', async () => {
    const { nats, sim, relay } = await setUp()
    const [a, b, c] = sim.addresses as [string, string, string]
    const first = client(nats, 'first')
    const second = client(nats)
    const one = first.ton.stream({
      types: ['transactions', 'actions'],
      addresses: [a],
      minFinality: 'pending',
    })
    const two = second.ton.stream({ types: ['transactions'], addresses: [b, c], minFinality: 'pending' })
    const oneEvents = collect(one)
    const twoEvents = collect(two)
    await Promise.all([one.waitSubscribed({ timeoutMs: 10_000 }), two.waitSubscribed({ timeoutMs: 10_000 })])
    expect(relay.tonSubscription?.addresses).toHaveLength(3)
    const since = sim.ledger.mark()
    const traces = [
      sim.emitTrace({ addresses: [a, b] }),
      sim.emitTrace({ addresses: [b, c] }),
      sim.emitTrace({ addresses: [c, a], stages: ['pending', 'invalidated'] }),
      sim.emitTrace({ addresses: [a] }),
    ]
    for (const trace of traces) await trace.finish()
    const expectOne = expectedFacts(sim, { accounts: [a], types: ['transactions', 'actions'], since })
    const expectTwo = expectedFacts(sim, { accounts: [b, c], types: ['transactions'], since })
    await until(
      () =>
        oneEvents.flatMap(factsOf).length >= expectOne.length &&
        twoEvents.flatMap(factsOf).length >= expectTwo.length,
      15_000,
      'every fact delivered',
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(expectOne.length).toBeGreaterThan(10)
    expect(compareFacts(expectOne, oneEvents.flatMap(factsOf))).toEqual({
      lost: [],
      duplicated: [],
      unexpected: [],
    })
    expect(compareFacts(expectTwo, twoEvents.flatMap(factsOf))).toEqual({
      lost: [],
      duplicated: [],
      unexpected: [],
    })
    // Typed like any TON stream: the handler of one type sees only its own.
    expect(oneEvents.some((event) => event.type === 'trace_invalidated')).toBe(true)
  })

  it('follows a consumer’s update() without reopening the relay’s upstream connection', async () => {
    const { nats, sim, relay } = await setUp()
    const [a, b] = sim.addresses as [string, string]
    const worker = client(nats)
    const stream = worker.ton.stream({ types: ['transactions'], addresses: [a], minFinality: 'pending' })
    const events = collect(stream)
    await stream.waitSubscribed({ timeoutMs: 10_000 })
    const sessions = sim.sessions.length
    await stream.update({ addresses: [a, b] })
    expect(relay.tonSubscription?.addresses).toHaveLength(2)
    const trace = sim.emitTrace({ addresses: [b] })
    await trace.finish()
    await until(() => events.length >= 3, 10_000, 'the new address’s events')
    expect(events.map((event) => event.type === 'transactions' && event.finality)).toEqual([
      'pending',
      'confirmed',
      'finalized',
    ])
    // One WebSocket session, changed in place by a subscribe.
    expect(sim.sessions.length).toBe(sessions)
  })

  it('two relays publish every event once', async () => {
    const { nats, sim, relay } = await setUp()
    const ton2 = createToncenter({ apiKey: 'relay-key-2', baseUrl: sim.toncenter.baseUrl })
    cleanups.push(() => ton2.close())
    const relay2 = await createRelay({ nats: { servers: nats.url }, providers: { ton: ton2 } })
    cleanups.push(() => relay2.close())
    const [a] = sim.addresses as [string]
    const worker = client(nats, 'ha-worker')
    const stream = worker.ton.stream({
      types: ['transactions', 'actions'],
      addresses: [a],
      minFinality: 'pending',
    })
    const events = collect(stream)
    await stream.waitSubscribed({ timeoutMs: 10_000 })
    await until(() => relay2.tonSubscription !== undefined, 10_000, 'the second relay follows')
    const since = sim.ledger.mark()
    for (let i = 0; i < 5; i++) await sim.emitTrace({ addresses: [a] }).finish()
    const expected = expectedFacts(sim, { accounts: [a], types: ['transactions', 'actions'], since })
    await until(() => events.flatMap(factsOf).length >= expected.length, 15_000, 'every fact delivered')
    // Each relay publishes every event it receives (the slower one may still be receiving).
    const total = (r: Relay) => r.counts.published + r.counts.duplicates
    await until(
      () =>
        total(relay) === total(relay2) && total(relay) === relay.counts.published + relay2.counts.published,
      10_000,
      'both relays published everything',
    )
    await Promise.all([relay.drained(), relay2.drained()])
    expect(compareFacts(expected, events.flatMap(factsOf))).toEqual({
      lost: [],
      duplicated: [],
      unexpected: [],
    })
    // Both relays published every event; the stream holds each once.
    const stored = relay.counts.published + relay2.counts.published
    expect(relay.counts.published + relay.counts.duplicates).toBe(stored)
    expect(relay2.counts.published + relay2.counts.duplicates).toBe(stored)
    const nc = await connect({ servers: nats.url })
    cleanups.push(() => nc.close())
    const info = await (await jetstreamManager(nc)).streams.info(relay.names.stream)
    expect(info.state.messages).toBe(stored)
  })

  it('follows a consumer for as long as its lease lives: a closed unnamed one at once, a silent named one when the lease runs out', async () => {
    const { nats, sim, relay } = await setUp()
    const [a, b] = sim.addresses as [string, string]
    const durable = createRelayClient({ servers: nats.url, name: 'short-lease', leaseMs: 4_000 })
    cleanups.push(() => durable.close())
    const passing = client(nats)
    const kept = durable.ton.stream({ types: ['transactions'], addresses: [a], minFinality: 'pending' })
    const gone = passing.ton.stream({ types: ['transactions'], addresses: [b], minFinality: 'pending' })
    await Promise.all([
      kept.waitSubscribed({ timeoutMs: 10_000 }),
      gone.waitSubscribed({ timeoutMs: 10_000 }),
    ])
    expect(relay.tonSubscription?.addresses).toHaveLength(2)
    await passing.close()
    await until(() => relay.tonSubscription?.addresses.length === 1, 5_000, 'the unnamed client left')
    // A named client that stops (or dies) keeps its place until its lease runs out, so a quick restart
    // misses nothing; then the relay lets go.
    const stoppedAt = Date.now()
    await durable.close()
    await until(() => relay.tonSubscription === undefined, 10_000, 'the lease ran out')
    // Renewed every third of the lease: it ran out no sooner than two thirds of it after the close.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2_500)
  })

  it('a durable consumer resumes after its last acknowledged event, and gets the invalidation of a trace its previous run was shown', async () => {
    const { nats, sim } = await setUp()
    const [a, b] = sim.addresses as [string, string]
    const options = { types: ['transactions'] as const, addresses: [a], minFinality: 'pending' as const }
    const firstRun = createRelayClient({ servers: nats.url, name: 'resumer', leaseMs: 30_000 })
    const firstStream = firstRun.ton.stream({ ...options, types: ['transactions'] })
    const before = collect(firstStream)
    await firstStream.waitSubscribed({ timeoutMs: 10_000 })
    const since = sim.ledger.mark()
    const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
    await doomed.advance() // pending: shown to the first run
    await until(() => before.length === 1, 10_000, 'the pending snapshot')
    await firstRun.close()
    // While it is away: the invalidation, and a whole trace.
    await doomed.advance()
    await sim.emitTrace({ addresses: [a] }).finish()
    const secondRun = createRelayClient({ servers: nats.url, name: 'resumer', leaseMs: 30_000 })
    cleanups.push(() => secondRun.close())
    const after = collect(secondRun.ton.stream({ ...options, types: ['transactions'] }))
    const expected = expectedFacts(sim, { accounts: [a], types: ['transactions'], since })
    await until(() => [...before, ...after].flatMap(factsOf).length >= expected.length, 10_000, 'caught up')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(compareFacts(expected, [...before, ...after].flatMap(factsOf))).toEqual({
      lost: [],
      duplicated: [],
      unexpected: [],
    })
    expect(after[0]).toMatchObject({
      type: 'trace_invalidated',
      trace_external_hash_norm: doomed.traceExternalHashNorm,
    })
  })
})
