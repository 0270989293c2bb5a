import { createTonSimulator, type TonSimulator } from '@chainstream/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FlowNode, onTab, tonapiConfig, toncenterConfig } from '../test-support/flows.js'
import {
  collect,
  errorOf,
  helper,
  inject,
  node,
  startRed,
  statuses,
  stopRed,
  waitFor,
} from '../test-support/red-helper.js'
import tonapiNode from './chainstream-tonapi.js'
import toncenterNode from './chainstream-toncenter.js'
import tonStreamNode from './ton-stream.js'
import txLifecycleNode from './tx-lifecycle.js'

const NODES = [toncenterNode, tonapiNode, tonStreamNode, txLifecycleNode]
const load = (flow: FlowNode[], credentials: Record<string, Record<string, string>>) =>
  helper.load(NODES, onTab(flow), credentials)

let sim: TonSimulator

beforeAll(startRed)
afterAll(stopRed)
beforeEach(async () => {
  sim = await createTonSimulator({ keys: { 'key-1': { maxConnections: 4 } }, keepaliveMs: 200, lingerMs: 0 })
})
afterEach(async () => {
  await helper.unload()
  await sim.close()
})

function streamNode(overrides: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'stream',
    type: 'ton-stream',
    provider: 'toncenter',
    toncenter: 'toncenter',
    types: 'transactions,actions',
    addresses: sim.addresses[0],
    minFinality: 'pending',
    wires: [['out']],
    ...overrides,
  }
}

const subscribed = () =>
  sim.sessions.some((session) => !session.isClosed && session.subscription.types.length > 0)

describe('ton-stream', () => {
  it('sends every event with msg.topic = event type and msg.payload = the event, at each finality', async () => {
    await load([toncenterConfig(sim), streamNode(), { id: 'out', type: 'helper' }], {
      toncenter: { apiKey: 'key-1' },
    })
    const out = collect('out')
    await waitFor(subscribed, 5_000, 'the subscription')
    const trace = sim.emitTrace({ addresses: [sim.addresses[0] as string, sim.addresses[1] as string] })
    await trace.finish()
    await waitFor(() => out.length >= 6, 5_000, 'six events')
    expect(out.map((msg) => `${msg.topic}:${msg.finality}`)).toEqual([
      'transactions:pending',
      'actions:pending',
      'transactions:confirmed',
      'actions:confirmed',
      'transactions:finalized',
      'actions:finalized',
    ])
    const first = out[0] as {
      payload: { type: string; trace_external_hash_norm: string; source: string }
      traceExternalHashNorm: string
    }
    expect(first.payload.type).toBe('transactions')
    expect(first.payload.source).toBe('stream')
    expect(first.traceExternalHashNorm).toBe(trace.traceExternalHashNorm)
  })

  it('authenticates with the API key from the credentials (TON Center header, TonAPI bearer)', async () => {
    await load(
      [
        toncenterConfig(sim),
        tonapiConfig(sim),
        streamNode(),
        streamNode({ id: 'stream-2', provider: 'tonapi', tonapi: 'tonapi', toncenter: '', wires: [[]] }),
        { id: 'out', type: 'helper' },
      ],
      { toncenter: { apiKey: 'key-1' }, tonapi: { apiKey: 'key-1' } },
    )
    await waitFor(() => sim.sessions.length === 2, 5_000, 'two sessions')
    const byFlavour = Object.fromEntries(sim.sessions.map((session) => [session.flavour, session]))
    expect(byFlavour.toncenter?.request.headers['x-api-key']).toBe('key-1')
    expect(byFlavour.tonapi?.request.headers.authorization).toBe('Bearer key-1')
    // The credential is declared on the runtime side too, so the runtime keeps it.
    expect((node('toncenter').credentials as Record<string, string>).apiKey).toBe('key-1')
  })

  it("puts every node of a config on one socket (a tracker's traces too), each with exactly its own events", async () => {
    const [a, b] = [sim.addresses[0] as string, sim.addresses[1] as string]
    await load(
      [
        toncenterConfig(sim),
        streamNode({ types: 'transactions', addresses: a }),
        streamNode({
          id: 'stream-2',
          types: 'transactions',
          addresses: b,
          minFinality: 'finalized',
          wires: [['out-2']],
        }),
        {
          id: 'life',
          type: 'tx-lifecycle',
          tonProvider: 'toncenter',
          toncenter: 'toncenter',
          wires: [[], ['settled']],
        },
        { id: 'out', type: 'helper' },
        { id: 'out-2', type: 'helper' },
        { id: 'settled', type: 'helper' },
      ],
      { toncenter: { apiKey: 'key-1' } },
    )
    const out = collect('out')
    const out2 = collect('out-2')
    const settled = collect('settled')
    const trace = sim.emitTrace({ addresses: [a, b] })
    inject('life', { payload: { chain: 'ton', id: trace.traceExternalHashNorm } })
    await waitFor(
      () =>
        sim.sessions[0]?.subscription.addresses.length === 2 &&
        sim.sessions[0]?.subscription.traceExternalHashNorms.length === 1,
      5_000,
      'the union of both nodes and the tracker',
    )
    await trace.finish()
    await waitFor(() => out.length === 3 && out2.length === 1 && settled.length === 1, 5_000, 'the events')
    const accounts = (msg: { payload?: unknown }) =>
      (msg.payload as { transactions: { account: string }[] }).transactions.map((tx) => tx.account)
    expect(out.map((msg) => msg.finality)).toEqual(['pending', 'confirmed', 'finalized'])
    expect(out.every((msg) => accounts(msg).every((account) => account === a))).toBe(true)
    expect(out2.map((msg) => msg.finality)).toEqual(['finalized'])
    expect(accounts(out2[0] as { payload?: unknown })).toEqual([b])
    expect(sim.sessions).toHaveLength(1)

    // One node leaving takes only its own address off the socket.
    inject('stream', { action: 'disconnect' })
    await waitFor(() => sim.sessions[0]?.subscription.addresses.length === 1, 5_000, 'the smaller union')
    expect(sim.sessions[0]?.subscription.addresses).toEqual([b])
    await sim.emitTrace({ addresses: [a, b] }).finish()
    await waitFor(() => out2.length === 2, 5_000, 'the other node to go on')
    expect(out).toHaveLength(3)
    expect(sim.sessions).toHaveLength(1)
  })

  it('puts each event type on its own output with split outputs', async () => {
    await load(
      [
        toncenterConfig(sim),
        streamNode({
          split: true,
          types: 'transactions,actions,account_state_change',
          wires: [['tx'], ['act'], [], ['acc'], [], []],
        }),
        { id: 'tx', type: 'helper' },
        { id: 'act', type: 'helper' },
        { id: 'acc', type: 'helper' },
      ],
      { toncenter: { apiKey: 'key-1' } },
    )
    const tx = collect('tx')
    const act = collect('act')
    const acc = collect('acc')
    await waitFor(subscribed, 5_000, 'the subscription')
    await sim.emitTrace({ addresses: [sim.addresses[0] as string, sim.addresses[1] as string] }).finish()
    await waitFor(() => tx.length === 3 && act.length === 3 && acc.length >= 2, 5_000, 'split events')
    expect(new Set(tx.map((msg) => msg.topic))).toEqual(new Set(['transactions']))
    expect(new Set(act.map((msg) => msg.topic))).toEqual(new Set(['actions']))
    expect(new Set(acc.map((msg) => msg.topic))).toEqual(new Set(['account_state_change']))
  })

  it('subscribes, unsubscribes and lists subscriptions on msg.action, like the MQTT node', async () => {
    await load([toncenterConfig(sim), streamNode({ addresses: '' }), { id: 'out', type: 'helper' }], {
      toncenter: { apiKey: 'key-1' },
    })
    const out = collect('out')
    const shown = statuses('stream')
    await waitFor(() => shown.some((status) => status.fill === 'grey'), 2_000, 'the waiting status')
    expect(sim.sessions).toHaveLength(0) // nothing to watch: no connection (lazy)

    const [a, b] = [sim.addresses[0] as string, sim.addresses[1] as string]
    const doneCalls = (node('stream').listeners('call:done') as unknown[]).length
    expect(doneCalls).toBe(0)
    inject('stream', { action: 'subscribe', topic: [a, b] })
    await waitFor(subscribed, 5_000, 'the subscription')
    expect([...(sim.sessions[0]?.subscription.addresses ?? [])].sort()).toEqual([a, b].sort())

    inject('stream', { action: 'unsubscribe', topic: b })
    await waitFor(() => sim.sessions[0]?.subscription.addresses.length === 1, 5_000, 'the unsubscription')
    inject('stream', { action: 'getSubscriptions' })
    await waitFor(() => out.some((msg) => msg.topic === 'subscriptions'), 2_000, 'the subscriptions')
    const reply = out.find((msg) => msg.topic === 'subscriptions') as {
      payload: { addresses: string[]; active: boolean }
    }
    expect(reply.payload.addresses).toEqual([a])
    expect(reply.payload.active).toBe(true)

    // A trace hash goes to the trace subscription.
    const trace = sim.emitTrace({ addresses: [b, sim.addresses[2] as string] })
    inject('stream', { action: 'subscribe', topic: trace.traceExternalHashNorm })
    await waitFor(
      () => sim.sessions[0]?.subscription.traceExternalHashNorms.length === 1,
      5_000,
      'the trace subscription',
    )
    await trace.finish()
    await waitFor(() => out.filter((msg) => msg.topic === 'trace').length === 3, 5_000, 'trace events')

    inject('stream', { action: 'disconnect' })
    await waitFor(() => shown.at(-1)?.fill === 'grey', 5_000, 'the paused status')
    inject('stream', { action: 'connect' })
    await waitFor(() => shown.at(-1)?.fill === 'green', 5_000, 'the subscribed status')
  })

  it('answers a bad control message with an error for Catch nodes', async () => {
    await load(
      [
        toncenterConfig(sim),
        streamNode({ addresses: '' }),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
        { id: 'out', type: 'helper' },
      ],
      { toncenter: { apiKey: 'key-1' } },
    )
    const caught = collect('caught')
    inject('stream', { action: 'subscribe', topic: 'not-an-address' })
    inject('stream', { action: 'frobnicate' })
    await waitFor(() => caught.length === 2, 2_000, 'two caught errors')
    expect(errorOf(caught[0]).message).toMatch(/neither a TON address nor a trace hash/)
    expect(errorOf(caught[1]).message).toMatch(/unknownAction/) // the helper's RED._ returns message keys
  })

  it('reports a fatal connection error (unknown key) in red and to Catch nodes', async () => {
    await load(
      [
        toncenterConfig(sim),
        streamNode(),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
        { id: 'out', type: 'helper' },
      ],
      { toncenter: { apiKey: 'wrong-key' } },
    )
    const caught = collect('caught')
    const shown = statuses('stream')
    await waitFor(() => caught.length === 1, 10_000, 'the caught error')
    expect(errorOf(caught[0]).code ?? (caught[0]?.payload as { code?: string } | undefined)?.code).toBe(
      'Unauthorized',
    )
    await waitFor(() => shown.at(-1)?.fill === 'red', 2_000, 'the red status')
    expect(shown.at(-1)?.shape).toBe('ring')
  })

  it('shows connecting, then subscribed with counts, and clears the status on close', async () => {
    await load([toncenterConfig(sim), streamNode(), { id: 'out', type: 'helper' }], {
      toncenter: { apiKey: 'key-1' },
    })
    const shown = statuses('stream')
    await waitFor(() => shown.some((status) => status.fill === 'green'), 5_000, 'the green status')
    expect(shown.find((status) => status.fill === 'green')?.shape).toBe('dot')
    await helper.clearFlows()
    await waitFor(() => Object.keys(shown.at(-1) ?? { x: 1 }).length === 0, 1_000, 'the cleared status')
  })
})
