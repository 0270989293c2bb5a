import { createTracker, isChainstreamError, type LifecycleUpdate, type Tracker } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/**
 * One tracker, both chains, both simulators over loopback: a TON trace and a Solana signature must get the
 * same kind of updates, the same promise semantics and the same guarantees.
 */
describe('cross-chain tracker (TON + Solana, one API)', () => {
  let ton: TonSimulator
  let solana: VenumSimulator
  let tracker: Tracker
  let n = 0

  beforeEach(async () => {
    ton = await createTonSimulator({ keepaliveMs: 200, lingerMs: 0 })
    solana = await createVenumSimulator({ heartbeatIntervalMs: 200 })
    tracker = createTracker({
      providers: [
        createToncenter({ apiKey: 'integration-key', baseUrl: ton.toncenter.baseUrl }),
        createVenum({ apiKey: solana.apiKey, baseUrl: solana.url }),
      ],
    })
  })
  afterEach(async () => {
    await tracker.close()
    await ton.close()
    await solana.close()
  })

  const newSignature = () => {
    const signature = venumSignature(++n, 7)
    solana.addSignature(signature, 'manual')
    return signature
  }
  const tiersOf = (updates: LifecycleUpdate[]) => updates.map((u) => u.tier)
  const collect = (tx: { on(e: 'update', l: (u: LifecycleUpdate) => void): () => void }) => {
    const updates: LifecycleUpdate[] = []
    tx.on('update', (u) => updates.push(u))
    return updates
  }
  const until = async (predicate: () => boolean, timeoutMs = 8_000) => {
    const start = Date.now()
    while (!predicate()) {
      if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('tracks a TON trace and a Solana signature side by side with identical semantics', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = newSignature()
    const [tonTx, solTx] = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
    ])
    const tonUpdates = collect(tonTx!)
    const solUpdates = collect(solTx!)
    const tonConfirmed = tonTx!.reached('confirmed', { timeoutMs: 8_000 })
    const solConfirmed = solTx!.reached('confirmed', { timeoutMs: 8_000 })
    await until(() => solana.openStreams > 0 && ton.connections.active > 0)
    await new Promise((r) => setTimeout(r, 100)) // let both subscriptions settle

    await trace.advance() // pending
    solana.advance(signature, 'landed')
    await trace.advance() // confirmed
    solana.advance(signature, 'processed')
    solana.advance(signature, 'confirmed')
    const [tonAtConfirmed, solAtConfirmed] = await Promise.all([tonConfirmed, solConfirmed])
    expect(tonAtConfirmed).toMatchObject({ chain: 'ton', tier: 'confirmed', outcome: 'success' })
    expect(solAtConfirmed).toMatchObject({ chain: 'solana', tier: 'confirmed', outcome: 'success' })

    await trace.advance() // finalized
    solana.advance(signature, 'finalized')
    const [tonEnd, solEnd] = await Promise.all([tonTx!.settled(), solTx!.settled()])
    for (const [end, updates] of [
      [tonEnd, tonUpdates],
      [solEnd, solUpdates],
    ] as const) {
      expect(end).toMatchObject({ tier: 'finalized', outcome: 'success', terminal: { kind: 'finalized' } })
      expect(updates.filter((u) => u.terminal)).toHaveLength(1)
      expect(updates.at(-1)).toBe(end)
      const tiers = tiersOf(updates)
      expect([...tiers].sort((a, b) => rank(a) - rank(b))).toEqual(tiers) // never out of tier order
      expect(end.tierReachedAt.pending).toBeTypeOf('number')
      expect(end.tierReachedAt.confirmed).toBeGreaterThanOrEqual(end.tierReachedAt.pending!)
      expect(end.tierReachedAt.finalized).toBeGreaterThanOrEqual(end.tierReachedAt.confirmed!)
    }
    // The same update shape for both chains, whatever the provider.
    expect(
      Object.keys(tonEnd)
        .filter((k) => k !== 'data' && k !== 'error')
        .sort(),
    ).toEqual(
      Object.keys(solEnd)
        .filter((k) => k !== 'data' && k !== 'error')
        .sort(),
    )
    expect(tonEnd.providerStatus).toBe('finalized')
    expect(solEnd.providerStatus).toBe('finalized')
    expect(tracker.size).toBe(0)
  })

  it('rejects with TransactionFailed on both chains and settles with outcome failure', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2), failed: true })
    const signature = newSignature()
    const [tonTx, solTx] = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
    ])
    const tonWait = tonTx!.reached('finalized').catch((e: unknown) => e)
    const solWait = solTx!.reached('finalized').catch((e: unknown) => e)
    await until(() => solana.openStreams > 0 && ton.connections.active > 0)
    await new Promise((r) => setTimeout(r, 100))
    await trace.finish()
    solana.advance(signature, 'landed')
    solana.advance(signature, 'failed', { err: 'InstructionError: [0, Custom(6001)]' })
    for (const error of await Promise.all([tonWait, solWait])) {
      expect(isChainstreamError(error, 'TransactionFailed')).toBe(true)
    }
    expect((await tonTx!.settled()).outcome).toBe('failure')
    expect((await solTx!.settled()).outcome).toBe('failure')
    expect(tonTx!.current.outcome).not.toBe('success')
  })

  it('reports a TON invalidation as terminal invalidated (Solana has no such status)', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2), stages: ['pending', 'invalidated'] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    const wait = tx.reached('confirmed').catch((e: unknown) => e)
    await until(() => ton.connections.active > 0)
    await new Promise((r) => setTimeout(r, 100))
    await trace.finish()
    expect(isChainstreamError(await wait, 'TransactionInvalidated')).toBe(true)
    expect(tx.current.terminal?.kind).toBe('invalidated')
  })

  it('times out softly on both chains: WaitTimeout, outcome unknown, never failure', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = newSignature()
    const txs = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm, timeoutMs: 400 },
      { chain: 'solana', id: signature, timeoutMs: 400 },
    ])
    for (const tx of txs) {
      const error = await tx.settled().catch((e: unknown) => e)
      expect(isChainstreamError(error, 'WaitTimeout')).toBe(true)
      expect((error as Error).message).toMatch(/unknown/i)
      expect(tx.current).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
      expect(tx.current.terminal).toBeUndefined()
    }
  })

  it('never resolves an aborted wait on either chain', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = newSignature()
    const controller = new AbortController()
    const txs = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm, signal: controller.signal },
      { chain: 'solana', id: signature, signal: controller.signal },
    ])
    const waits = txs.map((tx) => tx.reached('pending').catch((e: unknown) => e))
    controller.abort()
    await trace.advance()
    solana.advance(signature, 'landed')
    for (const error of await Promise.all(waits)) expect(isChainstreamError(error, 'Aborted')).toBe(true)
    for (const tx of txs) expect(tx.current.watch).toBe('aborted')
  })

  it('survives a reconnect during tracking on both chains and still ends exactly once', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = newSignature()
    const [tonTx, solTx] = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
    ])
    const tonUpdates = collect(tonTx!)
    const solUpdates = collect(solTx!)
    await until(() => solana.openStreams > 0 && ton.connections.active > 0)
    await new Promise((r) => setTimeout(r, 100))
    await trace.advance() // pending, seen live
    solana.advance(signature, 'landed')
    await until(() => tonUpdates.length > 0 && solUpdates.length > 0)

    ton.dropConnections({ linger: false })
    solana.dropStreams()
    // While both are down, the transactions settle.
    await trace.finish()
    solana.advance(signature, 'processed', { quiet: true })
    solana.advance(signature, 'confirmed', { quiet: true })
    solana.advance(signature, 'finalized', { quiet: true })

    const [tonEnd, solEnd] = await Promise.all([tonTx!.settled(), solTx!.settled()])
    expect(tonEnd).toMatchObject({ tier: 'finalized', terminal: { kind: 'finalized' } })
    expect(solEnd).toMatchObject({ tier: 'finalized', terminal: { kind: 'finalized' } })
    expect(tonUpdates.filter((u) => u.terminal)).toHaveLength(1)
    expect(solUpdates.filter((u) => u.terminal)).toHaveLength(1)
  })
})

function rank(tier: string): number {
  return ['unknown', 'pending', 'included', 'confirmed', 'finalized'].indexOf(tier)
}

describe('a tracker missing a chain', () => {
  it('says which provider to add, as the provider package described itself', async () => {
    createVenum({ apiKey: 'venum-key-hint', baseUrl: 'http://127.0.0.1:9' }) // created, but not passed
    const tracker = createTracker({
      providers: [createToncenter({ apiKey: 'toncenter-key-hint', baseUrl: 'http://127.0.0.1:9' })],
    })
    let error: unknown
    try {
      tracker.track({ chain: 'solana', id: '1'.repeat(87) })
    } catch (e) {
      error = e
    }
    expect(isChainstreamError(error, 'ProviderNotConfigured')).toBe(true)
    expect((error as Error).message).toContain(
      "createVenum({ apiKey }) from '@chainstream/provider-venum-solana'",
    )
    await tracker.close()
  })
})
