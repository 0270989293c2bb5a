import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { VenumConfigClient } from '../solana/venum-config-client.js'
import { type FlowNode, onTab, toncenterConfig, venumConfig } from '../test-support/flows.js'
import { collect, helper, inject, node, startRed, stopRed, waitFor } from '../test-support/red-helper.js'
import type { TonConfigClient } from '../ton/ton-config-client.js'
import toncenterNode from './chainstream-toncenter.js'
import venumNode from './chainstream-venum.js'
import solanaTxStatusNode from './solana-tx-status.js'
import tonStreamNode from './ton-stream.js'
import txLifecycleNode from './tx-lifecycle.js'

const NODES = [toncenterNode, venumNode, tonStreamNode, solanaTxStatusNode, txLifecycleNode]
const REDEPLOYS = 20

let ton: TonSimulator
let venum: VenumSimulator

beforeAll(startRed)
afterAll(stopRed)
beforeEach(async () => {
  // One key with room for two connections: a leaked socket would show, and a third would be refused.
  ton = await createTonSimulator({
    keys: { 'key-1': { maxConnections: 2 } },
    keepaliveMs: 200,
    lingerMs: 60_000,
  })
  venum = await createVenumSimulator({ lifecycles: { success: 1 }, heartbeatIntervalMs: 500 })
})
afterEach(async () => {
  await helper.unload()
  await Promise.all([ton.close(), venum.close()])
})

const credentials = { toncenter: { apiKey: 'key-1' }, venum: { apiKey: 'venum-test-key' } }

/** The flow at redeploy `round`: every flow node's name changes, so a partial deploy restarts it. */
function flow(round: number): FlowNode[] {
  const name = `round ${round}`
  return onTab([
    toncenterConfig(ton),
    venumConfig(venum),
    {
      id: 'stream-a',
      type: 'ton-stream',
      name,
      provider: 'toncenter',
      toncenter: 'toncenter',
      types: 'transactions',
      addresses: ton.addresses[0],
      minFinality: 'pending',
      wires: [['out-a']],
    },
    {
      id: 'stream-b',
      type: 'ton-stream',
      name,
      provider: 'toncenter',
      toncenter: 'toncenter',
      types: 'transactions',
      addresses: `${ton.addresses[0]}\n${ton.addresses[1]}`,
      minFinality: 'confirmed',
      wires: [['out-b']],
    },
    {
      id: 'status',
      type: 'solana-tx-status',
      name,
      venum: 'venum',
      target: 'finalized',
      wires: [['out-sol']],
    },
    {
      id: 'life',
      type: 'tx-lifecycle',
      name,
      tonProvider: 'toncenter',
      toncenter: 'toncenter',
      venum: 'venum',
      timeout: 60,
      wires: [['out-life'], []],
    },
    { id: 'out-a', type: 'helper' },
    { id: 'out-b', type: 'helper' },
    { id: 'out-sol', type: 'helper' },
    { id: 'out-life', type: 'helper' },
  ])
}

const tonClient = () =>
  (node('toncenter') as unknown as { chainstream: { client: TonConfigClient } }).chainstream.client
const venumClient = () =>
  (node('venum') as unknown as { chainstream: { client: VenumConfigClient } }).chainstream.client

describe(`${REDEPLOYS} partial redeploys in a row`, () => {
  it('keep one connection per config node, no stale listeners and no duplicate messages', async () => {
    await helper.load(NODES, flow(0), credentials)
    await waitFor(() => tonClient().state.status.phase === 'subscribed', 5_000, 'the TON subscription')
    const baseline = { ton: tonClient().stats(), venum: venumClient().stats() }

    for (let round = 1; round <= REDEPLOYS; round++) {
      // Something live on every connection as the redeploy hits: a tracked trace and a watched signature.
      const trace = ton.emitTrace({ addresses: [ton.addresses[2] as string, ton.addresses[3] as string] })
      const signature = venumSignature(round)
      venum.addSignature(signature, 'manual')
      inject('life', { payload: { chain: 'ton', id: trace.traceExternalHashNorm } })
      inject('status', { payload: signature })
      await waitFor(() => venum.openStreams === 1, 5_000, `round ${round}: the Venum stream`)
      await helper.setFlows(flow(round), 'nodes', credentials)
    }
    await waitFor(() => venum.openStreams === 0, 5_000, 'the Venum streams to close')
    // The streams the old nodes released close after the linger; the trackers' trace subscriptions
    // leave with their nodes.
    await waitFor(() => tonClient().stats().lingering === 0, 5_000, 'the released streams to close')
    await waitFor(
      () => ton.sessions[0]?.subscription.traceExternalHashNorms.length === 0,
      5_000,
      'the trace subscriptions to go',
    )

    const tonStats = tonClient().stats()
    const venumStats = venumClient().stats()
    // The TON socket: the same one all along (the config node stayed; its consumers came and went).
    expect(ton.connections.active).toBe(1)
    expect(ton.sessions).toHaveLength(1)
    // Streams and status listeners: exactly the live nodes' again (2 streams; 3 nodes show the status).
    expect(tonStats.streams).toBe(baseline.ton.streams)
    expect(tonStats.streams).toBe(2)
    expect(tonStats.statusListeners).toBe(baseline.ton.statusListeners)
    expect(tonStats.opened).toBe(2 + 2 * REDEPLOYS + REDEPLOYS) // the nodes' streams and one per tracker
    expect(venumStats.statusListeners).toBe(baseline.venum.statusListeners)
    expect(venumStats.watches).toBe(0)
    expect(venumStats.lifecycleWatches).toBe(0)
    // The redeployed nodes' trace subscriptions are gone from the shared socket.
    expect(ton.sessions[0]?.subscription.traceExternalHashNorms).toEqual([])

    // No duplicate messages: one event per finality per node, one update per tier.
    const outA = collect('out-a')
    const outB = collect('out-b')
    const outSol = collect('out-sol')
    await ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] }).finish()
    const signature = venumSignature(1000)
    venum.addSignature(signature, 'manual')
    inject('status', { payload: signature })
    await waitFor(() => venum.openStreams === 1, 5_000, 'the Venum stream')
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      venum.advance(signature, status)
    await waitFor(() => outA.length >= 3 && outB.length >= 2 && outSol.length >= 4, 5_000, 'the messages')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(outA.map((msg) => msg.finality)).toEqual(['pending', 'confirmed', 'finalized'])
    expect(outB.map((msg) => msg.finality)).toEqual(['confirmed', 'finalized'])
    expect(outSol.map((msg) => (msg.payload as { status: string }).status)).toEqual([
      'landed',
      'processed',
      'confirmed',
      'finalized',
    ])
    process.stdout.write(
      `redeploy leak figures after ${REDEPLOYS} partial redeploys: TON sockets ${ton.connections.active} ` +
        `(sessions ever ${ton.sessions.length}), TON streams open ${tonStats.streams} (released and lingering ` +
        `${tonStats.lingering}), TON status listeners ${tonStats.statusListeners}; Venum open streams ` +
        `${venum.openStreams}, Venum watches open ${venumStats.watches} (tracker watches ` +
        `${venumStats.lifecycleWatches}), Venum status listeners ${venumStats.statusListeners}\n`,
    )
  })

  it('full redeploys close the old socket before the new one counts', async () => {
    await helper.load(NODES, flow(0), credentials)
    for (let round = 1; round <= REDEPLOYS; round++) {
      await waitFor(
        () => tonClient().state.status.phase === 'subscribed',
        5_000,
        `round ${round}: subscription`,
      )
      await helper.setFlows(flow(round), 'full', credentials)
    }
    await waitFor(() => tonClient().state.status.phase === 'subscribed', 5_000, 'the last subscription')
    // Each full deploy restarts the config node; every old socket closed cleanly (no linger, no 429).
    expect(ton.connections.active).toBe(1)
    expect(ton.connections.lingering).toBe(0)
    const out = collect('out-a')
    await ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] }).finish()
    await waitFor(() => out.length >= 3, 5_000, 'the events')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(out).toHaveLength(3)
  })

  it('close calls done well inside 15 s, even when both servers stop answering', async () => {
    await helper.load(NODES, flow(0), credentials)
    await waitFor(() => tonClient().state.status.phase === 'subscribed', 5_000, 'the TON subscription')
    const signature = venumSignature(500)
    venum.addSignature(signature, 'manual')
    inject('status', { payload: signature })
    await waitFor(() => venum.openStreams === 1, 5_000, 'the Venum stream')
    ton.silence()
    venum.stallStreams()
    const started = Date.now()
    await helper.clearFlows()
    const elapsed = Date.now() - started
    process.stdout.write(`close with silent servers took ${elapsed} ms\n`)
    expect(elapsed).toBeLessThan(6_000)
  })
})
