import { createVenumSimulator, type VenumSimulator, venumSignature } from '@chainstream/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FlowNode, onTab, venumConfig } from '../test-support/flows.js'
import {
  collect,
  errorOf,
  helper,
  inject,
  node,
  startRed,
  stopRed,
  waitFor,
} from '../test-support/red-helper.js'
import venumNode from './chainstream-venum.js'
import solanaTxStatusNode from './solana-tx-status.js'

let sim: VenumSimulator

beforeAll(startRed)
afterAll(stopRed)
beforeEach(async () => {
  sim = await createVenumSimulator({ lifecycles: { success: 1 }, heartbeatIntervalMs: 500 })
})
afterEach(async () => {
  await helper.unload()
  await sim.close()
})

function flow(overrides: Record<string, unknown> = {}): FlowNode[] {
  return onTab([
    venumConfig(sim),
    {
      id: 'status',
      type: 'solana-tx-status',
      venum: 'venum',
      target: 'finalized',
      wires: [['out']],
      ...overrides,
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    { id: 'completer', type: 'complete', scope: ['status'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper' },
  ])
}

const load = (nodes: FlowNode[], apiKey = 'venum-test-key') =>
  helper.load([venumNode, solanaTxStatusNode], nodes, { venum: { apiKey } })

describe('solana-tx-status', () => {
  it('sends every status update of a signature and calls done once at the target', async () => {
    await load(flow())
    const out = collect('out')
    const completed = collect('completed')
    const signature = venumSignature(1)
    sim.addSignature(signature, 'manual')
    inject('status', { payload: signature, correlation: 'order-7' })
    await waitFor(() => sim.openStreams === 1, 5_000, 'the stream')
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      sim.advance(signature, status)
    await waitFor(() => completed.length === 1, 5_000, 'the message to complete')
    expect(out.map((msg) => (msg.payload as { status: string }).status)).toEqual([
      'landed',
      'processed',
      'confirmed',
      'finalized',
    ])
    expect(out.every((msg) => msg.topic === signature && msg.correlation === 'order-7')).toBe(true)
    const last = out.at(-1)?.payload as { tier: string; outcome: string; done: boolean }
    expect(last).toMatchObject({ tier: 'finalized', outcome: 'success', done: true })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(completed).toHaveLength(1)
  })

  it('sends the API key from the credentials in the x-api-key header', async () => {
    await load(flow())
    const completed = collect('completed')
    inject('status', { payload: venumSignature(2) })
    await waitFor(() => completed.length === 1, 5_000, 'completion')
    expect(sim.streamRequests[0]?.auth).toBe('header')
    expect(sim.requests[0]?.headers['x-api-key']).toBe('venum-test-key')
    expect((node('venum').credentials as Record<string, string>).apiKey).toBe('venum-test-key')
  })

  it('watches several signatures from one message and finishes when all are done', async () => {
    await load(flow({ target: 'confirmed' }))
    const out = collect('out')
    const completed = collect('completed')
    const signatures = [venumSignature(3), venumSignature(4), venumSignature(5)]
    inject('status', { payload: signatures.join(',') })
    await waitFor(() => completed.length === 1, 5_000, 'completion')
    for (const signature of signatures) {
      const statuses = out
        .filter((msg) => msg.topic === signature)
        .map((msg) => (msg.payload as { status: string }).status)
      expect(statuses.at(-1)).toBe('confirmed')
    }
  })

  it('sends an on-chain failure to Catch nodes as TransactionFailed, never as success', async () => {
    await load(flow())
    const out = collect('out')
    const caught = collect('caught')
    const signature = venumSignature(6)
    sim.addSignature(signature, 'failure')
    inject('status', { payload: signature })
    await waitFor(() => caught.length === 1, 5_000, 'the caught failure')
    expect(errorOf(caught[0]).message).toMatch(/failed/)
    const statuses = out.map((msg) => (msg.payload as { status: string; outcome: string }).status)
    expect(statuses).toContain('failed')
    expect(out.some((msg) => (msg.payload as { outcome: string }).outcome === 'success')).toBe(false)
  })

  it('ends with an outcome-unknown error on verify-timeout (not a failure)', async () => {
    await load(flow())
    const caught = collect('caught')
    const signature = venumSignature(7)
    sim.addSignature(signature, 'manual')
    inject('status', { payload: signature })
    await waitFor(() => sim.openStreams === 1, 5_000, 'the stream')
    sim.advance(signature, 'landed')
    sim.advance(signature, 'verify-timeout')
    await waitFor(() => caught.length === 1, 5_000, 'the caught time-out')
    expect(errorOf(caught[0]).message).toMatch(/unknown/)
  })

  it('refuses an invalid signature before any request, with an error for Catch nodes', async () => {
    await load(flow())
    const caught = collect('caught')
    inject('status', { payload: 'definitely-not-a-signature' })
    await waitFor(() => caught.length === 1, 2_000, 'the caught error')
    expect(errorOf(caught[0]).message).toMatch(/characters long/)
    expect(sim.requests).toHaveLength(0)
  })

  it('reports a wrong API key to Catch nodes and in red', async () => {
    await load(flow(), 'wrong-key')
    const caught = collect('caught')
    inject('status', { payload: venumSignature(8) })
    await waitFor(() => caught.length === 1, 5_000, 'the caught error')
    expect(errorOf(caught[0]).code).toBe('Unauthorized')
  })

  it('gives two nodes watching the same signature every update each, and lets each finish on its own', async () => {
    await load([
      ...flow({ target: 'confirmed' }),
      {
        id: 'status-2',
        type: 'solana-tx-status',
        venum: 'venum',
        target: 'finalized',
        wires: [['out-2']],
        z: 'tab',
      },
      { id: 'out-2', type: 'helper', z: 'tab' },
    ])
    const out = collect('out')
    const out2 = collect('out-2')
    const completed = collect('completed')
    const signature = venumSignature(9)
    sim.addSignature(signature, 'manual')
    inject('status', { payload: signature })
    inject('status-2', { payload: signature })
    // Every stream asked for is open (one per node's watch, or fewer where the client pools them), and
    // stays so for a moment: \`landed\` is only ever seen live.
    const allOpen = () =>
      sim.openStreams > 0 && sim.openStreams === sim.streamRequests.filter((r) => r.status === 200).length
    await waitFor(allOpen, 5_000, 'the streams')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await waitFor(allOpen, 5_000, 'the streams')
    const seen = (messages: { payload?: unknown }[]) =>
      messages.map((msg) => (msg.payload as { status: string }).status)
    for (const [status, first, second] of [
      ['landed', 1, 1],
      ['processed', 2, 2],
      ['confirmed', 3, 3],
      ['finalized', 3, 4],
    ] as const) {
      sim.advance(signature, status)
      await waitFor(() => out.length === first && out2.length === second, 5_000, `${status} on both`)
    }
    expect(seen(out)).toEqual(['landed', 'processed', 'confirmed'])
    expect(seen(out2)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    // The first node finished at its target while the second went on watching, on the one stream the
    // client's pool opened for the signature both watch.
    expect(completed).toHaveLength(1)
    expect(sim.streamsOpened).toBe(1)
    await waitFor(() => sim.openStreams === 0, 5_000, 'every stream to close')
  })
})
