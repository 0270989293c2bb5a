import type { LifecycleUpdate } from '@chainstream/core'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FlowNode, onTab, toncenterConfig, venumConfig } from '../test-support/flows.js'
import { collect, errorOf, helper, inject, startRed, stopRed, waitFor } from '../test-support/red-helper.js'
import toncenterNode from './chainstream-toncenter.js'
import venumNode from './chainstream-venum.js'
import txLifecycleNode from './tx-lifecycle.js'

let ton: TonSimulator
let venum: VenumSimulator

beforeAll(startRed)
afterAll(stopRed)
beforeEach(async () => {
  ton = await createTonSimulator({ keepaliveMs: 200, lingerMs: 0 })
  venum = await createVenumSimulator({ lifecycles: { success: 1 }, heartbeatIntervalMs: 500 })
})
afterEach(async () => {
  await helper.unload()
  await Promise.all([ton.close(), venum.close()])
})

function flow(overrides: Record<string, unknown> = {}): FlowNode[] {
  return onTab([
    toncenterConfig(ton),
    venumConfig(venum),
    {
      id: 'life',
      type: 'tx-lifecycle',
      tonProvider: 'toncenter',
      toncenter: 'toncenter',
      venum: 'venum',
      target: 'finalized',
      timeout: 30,
      wires: [['updates'], ['settled']],
      ...overrides,
    },
    { id: 'updates', type: 'helper' },
    { id: 'settled', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ])
}

const load = (nodes: FlowNode[]) =>
  helper.load([toncenterNode, venumNode, txLifecycleNode], nodes, {
    toncenter: { apiKey: 'key-1' },
    venum: { apiKey: 'venum-test-key' },
  })

const payloads = (messages: { payload?: unknown }[]) => messages.map((msg) => msg.payload as LifecycleUpdate)

describe('tx-lifecycle', () => {
  it('tracks a TON trace and a Solana signature side by side, with the same kind of updates', async () => {
    await load(flow())
    const updates = collect('updates')
    const settled = collect('settled')
    const trace = ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] })
    const signature = venumSignature(1)
    venum.addSignature(signature, 'manual')
    inject('life', {
      payload: [
        { chain: 'ton', id: trace.traceExternalHashNorm },
        { chain: 'solana', id: signature },
      ],
    })
    await waitFor(
      () =>
        ton.sessions.some((s) => s.subscription.traceExternalHashNorms.length === 1) &&
        venum.openStreams === 1,
      5_000,
      'both subscriptions',
    )
    await trace.finish()
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      venum.advance(signature, status)
    await waitFor(() => settled.length === 2, 5_000, 'two settled updates')

    const tonUpdates = payloads(updates).filter((u) => u.chain === 'ton')
    const solUpdates = payloads(updates).filter((u) => u.chain === 'solana')
    expect(tonUpdates.map((u) => u.tier)).toEqual(['pending', 'confirmed', 'finalized'])
    expect(solUpdates.map((u) => u.tier)).toEqual(['pending', 'included', 'confirmed', 'finalized'])
    for (const final of payloads(settled)) {
      expect(final).toMatchObject({ tier: 'finalized', outcome: 'success', terminal: { kind: 'finalized' } })
    }
    // Exactly one terminal update per transaction.
    expect(payloads(updates).filter((u) => u.terminal).length).toBe(2)
    expect(updates[0]?.topic).toMatch(/^(ton|solana)\//)
  })

  it('derives a failed TON trace from its transactions and settles it with outcome failure', async () => {
    await load(flow())
    const settled = collect('settled')
    const trace = ton.emitTrace({
      addresses: [ton.addresses[0] as string, ton.addresses[1] as string],
      failed: true,
    })
    inject('life', { payload: { chain: 'ton', id: trace.traceExternalHashNorm } })
    await waitFor(
      () => ton.sessions.some((s) => s.subscription.traceExternalHashNorms.length === 1),
      5_000,
      'subscription',
    )
    await trace.finish()
    await waitFor(() => settled.length === 1, 5_000, 'the settled update')
    expect(payloads(settled)[0]).toMatchObject({ outcome: 'failure' })
  })

  it('settles an invalidated TON trace with terminal invalidated', async () => {
    await load(flow())
    const settled = collect('settled')
    const trace = ton.emitTrace({
      addresses: [ton.addresses[0] as string, ton.addresses[1] as string],
      stages: ['pending', 'invalidated'],
    })
    inject('life', { payload: { chain: 'ton', id: trace.traceExternalHashNorm } })
    await waitFor(
      () => ton.sessions.some((s) => s.subscription.traceExternalHashNorms.length === 1),
      5_000,
      'subscription',
    )
    await trace.finish()
    await waitFor(() => settled.length === 1, 5_000, 'the settled update')
    expect(payloads(settled)[0]?.terminal?.kind).toBe('invalidated')
  })

  it('takes a snapshot of a trace that was already pending when tracking started', async () => {
    await load(flow())
    const updates = collect('updates')
    const settled = collect('settled')
    const trace = ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] })
    await trace.advance() // pending, before anyone tracks it
    inject('life', { payload: trace.traceExternalHashNorm, chain: 'ton' })
    await waitFor(() => updates.length === 1, 5_000, 'the snapshot')
    expect(payloads(updates)[0]).toMatchObject({ tier: 'pending', source: 'snapshot' })
    await trace.finish()
    await waitFor(() => settled.length === 1, 5_000, 'the settled update')
  })

  it('ends the watch with outcome unknown at its time-out, and settles at the target when asked to', async () => {
    await load(flow({ timeout: 1, target: 'confirmed', settleOn: 'target' }))
    const settled = collect('settled')
    const never = venumSignature(2)
    const quick = venumSignature(3)
    venum.addSignature(never, 'manual')
    venum.addSignature(quick, 'manual')
    inject('life', { payload: [never, quick], chain: 'solana' })
    await waitFor(() => venum.openStreams === 1, 5_000, 'the stream')
    venum.advance(quick, 'landed')
    venum.advance(quick, 'processed')
    venum.advance(quick, 'confirmed')
    await waitFor(() => settled.length === 2, 5_000, 'two settled updates')
    const byId = Object.fromEntries(payloads(settled).map((u) => [u.id, u]))
    expect(byId[quick]).toMatchObject({ tier: 'confirmed', reachedTarget: true, outcome: 'success' })
    expect(byId[never]).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
    expect(byId[never]?.terminal).toBeUndefined()
  })

  it('uses the configured id when the message names none, and refuses bad ids with an error for Catch', async () => {
    const signature = venumSignature(4)
    await load(flow({ chain: 'solana', txId: signature }))
    const settled = collect('settled')
    const caught = collect('caught')
    inject('life', { payload: Date.now() })
    await waitFor(() => settled.length === 1, 5_000, 'the settled update')
    expect(payloads(settled)[0]?.id).toBe(signature)
    inject('life', { payload: { chain: 'ton', id: 'nope' } })
    inject('life', { payload: { chain: 'bitcoin', id: 'abc' } })
    await waitFor(() => caught.length === 2, 2_000, 'two caught errors')
    expect(errorOf(caught[1]).message).toMatch(/No provider serves chain 'bitcoin'/)
  })

  it("keeps the TON socket through a redeploy of the node, and ends only that node's tracks", async () => {
    await load(flow())
    const first = ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] })
    inject('life', { payload: { chain: 'ton', id: first.traceExternalHashNorm } })
    await waitFor(
      () => ton.sessions[0]?.subscription.traceExternalHashNorms.length === 1,
      5_000,
      'the first track',
    )
    await helper.setFlows(flow({ name: 'redeployed' }), 'nodes', {
      toncenter: { apiKey: 'key-1' },
      venum: { apiKey: 'venum-test-key' },
    })
    const settled = collect('settled')
    const second = ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] })
    inject('life', { payload: { chain: 'ton', id: second.traceExternalHashNorm } })
    await second.finish()
    await waitFor(() => settled.length === 1, 5_000, 'the settled update')
    expect(payloads(settled)[0]?.id).toBe(second.traceExternalHashNorm)
    // The old node's trace left with it (its stream lingered, then closed); one socket all along.
    await waitFor(
      () =>
        ton.sessions[0]?.subscription.traceExternalHashNorms.includes(first.traceExternalHashNorm) === false,
      5_000,
      'the old trace to go',
    )
    expect(ton.sessions).toHaveLength(1)
  })
})
