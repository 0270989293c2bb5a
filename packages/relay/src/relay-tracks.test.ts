import { createTracker, type LifecycleUpdate, type TrackedTransaction } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { cleanupsAfterEach, until } from './cleanups.test-helper.js'
import { createRelay, createRelayClient, type RelayClient } from './index.js'
import { type NatsServer, startNatsServer } from './nats-server.test-helper.js'

const cleanups = cleanupsAfterEach()

async function setUp(): Promise<{ nats: NatsServer; ton: TonSimulator; solana: VenumSimulator }> {
  const nats = await startNatsServer()
  cleanups.push(() => nats.close())
  const ton = await createTonSimulator({ keepaliveMs: 0, lingerMs: 0 })
  cleanups.push(() => ton.close())
  const solana = await createVenumSimulator({ heartbeatIntervalMs: 200 })
  cleanups.push(() => solana.close())
  const tonClient = createToncenter({ apiKey: 'relay-key', baseUrl: ton.toncenter.baseUrl })
  const venum = createVenum({ apiKey: solana.apiKey, baseUrl: solana.url })
  cleanups.push(() => tonClient.close())
  cleanups.push(() => venum.close())
  const relay = await createRelay({
    nats: { servers: nats.url },
    providers: { ton: tonClient, solana: venum },
  })
  cleanups.push(() => relay.close())
  return { nats, ton, solana }
}

function client(nats: NatsServer, name: string): RelayClient {
  const relayClient = createRelayClient({ servers: nats.url, name, leaseMs: 5_000 })
  cleanups.push(() => relayClient.close())
  return relayClient
}

/** The `cs.sol.<status>.<signature>` messages of the stream, as statuses per signature in stream order. */
async function solanaStatuses(nats: NatsServer): Promise<Map<string, string[]>> {
  const nc = await connect({ servers: nats.url })
  cleanups.push(() => nc.close())
  const jsm = await jetstreamManager(nc)
  await jsm.consumers.add('CHAINSTREAM', {
    durable_name: 'sol-reader',
    filter_subject: 'cs.sol.>',
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  })
  const consumer = await jetstream(nc).consumers.get('CHAINSTREAM', 'sol-reader')
  const out = new Map<string, string[]>()
  const batch = await consumer.fetch({ max_messages: 200, expires: 1_000 })
  for await (const message of batch) {
    const [, , status, signature] = message.subject.split('.') as [string, string, string, string]
    out.set(signature, [...(out.get(signature) ?? []), status])
  }
  return out
}

function collect(track: TrackedTransaction): LifecycleUpdate[] {
  const updates: LifecycleUpdate[] = []
  track.on('update', (update) => updates.push(update))
  return updates
}

describe('tracking through the relay', () => {
  it('ends every id with exactly one terminal: success, failure and invalidation on both chains', async () => {
    const { nats, ton, solana } = await setUp()
    const worker = client(nats, 'tracker-a')
    const tracker = createTracker({ providers: [worker.ton, worker.solana] })
    cleanups.push(() => tracker.close())
    const ok = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const failed = ton.emitTrace({ addresses: ton.addresses.slice(1, 3), failed: true })
    const invalid = ton.emitTrace({
      addresses: ton.addresses.slice(0, 1),
      stages: ['pending', 'invalidated'],
    })
    const good = venumSignature(1, 7)
    const bad = venumSignature(2, 7)
    solana.addSignature(good, 'manual')
    solana.addSignature(bad, 'manual')
    const tracks = tracker.trackMany([
      { chain: 'ton', id: ok.traceExternalHashNorm },
      { chain: 'ton', id: failed.traceExternalHashNorm },
      { chain: 'ton', id: invalid.traceExternalHashNorm },
      { chain: 'solana', id: good },
      { chain: 'solana', id: bad },
    ])
    const updates = tracks.map(collect)
    const ends = tracks.map((track) => track.settled().catch((error: unknown) => error))
    await until(() => ton.connections.active > 0 && solana.openStreams > 0, 10_000, 'the relay watches')
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (const trace of [ok, failed, invalid]) await trace.finish()
    solana.advance(good, 'landed')
    solana.advance(good, 'confirmed')
    solana.advance(good, 'finalized')
    solana.advance(bad, 'landed')
    solana.advance(bad, 'failed', { err: 'InstructionError' })
    const settled = (await Promise.all(ends)) as LifecycleUpdate[]
    expect(settled.map((end) => [end.terminal?.kind, end.outcome])).toEqual([
      ['finalized', 'success'],
      ['finalized', 'failure'],
      ['invalidated', 'unknown'],
      ['finalized', 'success'],
      ['failed', 'failure'],
    ])
    // The Solana news is also on the stream, once each, by signature and status.
    const statuses = await solanaStatuses(nats)
    expect(statuses.get(good)?.at(-1)).toBe('finalized')
    expect(statuses.get(bad)?.at(-1)).toBe('failed')
    for (const list of statuses.values()) expect(new Set(list).size).toBe(list.length)
    for (const list of updates) {
      expect(list.filter((update) => update.terminal !== undefined)).toHaveLength(1)
      const ranks = list.map((update) =>
        ['unknown', 'pending', 'included', 'confirmed', 'finalized'].indexOf(update.tier),
      )
      expect([...ranks].sort((x, y) => x - y)).toEqual(ranks)
    }
  })

  it('a tracker in another process starts from the recorded lifecycle and ends with the same one terminal', async () => {
    const { nats, ton, solana } = await setUp()
    const first = client(nats, 'tracker-first')
    const before = createTracker({ providers: [first.ton, first.solana] })
    cleanups.push(() => before.close())
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = venumSignature(3, 7)
    solana.addSignature(signature, 'manual')
    const [tonTrack, solTrack] = before.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
    ]) as [TrackedTransaction, TrackedTransaction]
    await until(() => ton.connections.active > 0 && solana.openStreams > 0, 10_000, 'the relay watches')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await trace.advance() // pending
    await trace.advance() // confirmed
    solana.advance(signature, 'landed')
    solana.advance(signature, 'confirmed')
    await Promise.all([tonTrack.reached('confirmed'), solTrack.reached('confirmed')])
    const seenBefore = [tonTrack.current, solTrack.current]

    // Another client (another process, or this one after a restart) tracks the same ids.
    const second = client(nats, 'tracker-second')
    const after = createTracker({ providers: [second.ton, second.solana] })
    cleanups.push(() => after.close())
    const resumed = after.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
    ])
    const resumedUpdates = resumed.map(collect)
    await until(
      () => resumed.every((track) => track.current.tier === 'confirmed'),
      10_000,
      'resumed at confirmed',
    )
    resumed.forEach((track, index) => {
      // The times are the recorded ones, not the moment this tracker started.
      expect(track.current.tierReachedAt.pending).toBe(seenBefore[index]?.tierReachedAt.pending)
      expect(track.current.tierReachedAt.confirmed).toBe(seenBefore[index]?.tierReachedAt.confirmed)
    })
    await trace.advance() // finalized
    solana.advance(signature, 'finalized')
    const ends = await Promise.all(resumed.map((track) => track.settled()))
    const endsBefore = await Promise.all([tonTrack.settled(), solTrack.settled()])
    ends.forEach((end, index) => {
      expect(end.terminal).toEqual(endsBefore[index]?.terminal)
      expect(resumedUpdates[index]?.filter((update) => update.terminal !== undefined)).toHaveLength(1)
    })
  })
})
