import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isChainstreamError } from '../errors/chainstream-error.js'
import type { LifecycleUpdate } from '../finality/lifecycle-update.js'
import type { Observation } from '../finality/observation.js'
import type { LifecycleSink, LifecycleSourceV1 } from '../provider/lifecycle-source-v1.js'
import { registerChainHint } from './chain-hints.js'
import { createTracker } from './tracker.js'

/**
 * An in-process lifecycle source: the tracker's own rules are tested here; the providers' sources are
 * tested against their simulators, and both chains together in the cross-chain integration test.
 */
function scriptedSource(chain: string) {
  let sink: LifecycleSink | undefined
  const watched = new Set<string>()
  const log: string[] = []
  const source: LifecycleSourceV1 = {
    specificationVersion: 'v1',
    chain,
    providerId: `${chain}-script`,
    validateId(id) {
      if (!/^[a-z0-9]+$/.test(id)) throw new Error(`bad id ${id}`)
      return id
    },
    openLifecycleWatch(s) {
      sink = s
      log.push('open')
      return {
        add: async (ids) => {
          for (const id of ids) watched.add(id)
          log.push(`add ${ids.join(',')}`)
        },
        remove: async (ids) => {
          for (const id of ids) watched.delete(id)
          log.push(`remove ${ids.join(',')}`)
        },
        close: async () => {
          log.push('close')
        },
      }
    },
  }
  const at = () => Date.now()
  return {
    source,
    watched,
    log,
    emit: (id: string, observation: Observation) => sink?.observe(id, observation),
    tier: (
      id: string,
      tier: 'pending' | 'included' | 'confirmed' | 'finalized',
      outcome?: 'success' | 'failure',
    ) =>
      sink?.observe(id, {
        kind: 'tier',
        tier,
        ...(outcome ? { outcome } : {}),
        providerStatus: tier,
        source: 'stream',
        at: at(),
      }),
  }
}

const flush = () => new Promise((r) => setImmediate(r))

describe('tracker', () => {
  it('fails at track() with ProviderNotConfigured naming the provider to add, as the provider described itself', () => {
    registerChainHint('solana', 'createScripted({ chain: "solana" })')
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    let error: unknown
    try {
      tracker.track({ chain: 'solana', id: 'abc' })
    } catch (e) {
      error = e
    }
    expect(isChainstreamError(error, 'ProviderNotConfigured')).toBe(true)
    expect((error as Error).message).toContain('createScripted({ chain: "solana" })')
    let unknown: unknown
    try {
      tracker.track({ chain: 'near', id: 'abc' })
    } catch (e) {
      unknown = e
    }
    expect((unknown as Error).message).toMatch(/lifecycle source serves chain 'near'/)
    expect(ton.log).toEqual([])
  })

  it('validates every input of trackMany before starting any', () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    expect(() =>
      tracker.trackMany([
        { chain: 'ton', id: 'good' },
        { chain: 'ton', id: 'BAD!' },
      ]),
    ).toThrow(/bad id/)
    expect(tracker.size).toBe(0)
  })

  it('multiplexes tracks of one chain into one watch, adding and removing ids as tracks start and end', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [{ lifecycle: ton.source }] })
    tracker.trackMany([
      { chain: 'ton', id: 'a' },
      { chain: 'ton', id: 'b' },
    ])
    tracker.track({ chain: 'ton', id: 'c' })
    await flush()
    expect(ton.log).toEqual(['open', 'add a,b', 'add c'])
    ton.tier('a', 'finalized', 'success')
    await flush()
    expect([...ton.watched].sort()).toEqual(['b', 'c'])
    expect(tracker.size).toBe(2)
    await tracker.close()
    expect(ton.log.at(-1)).toBe('close')
  })

  it('resolves reached() on success at or above the tier and carries when every tier was first reached', async () => {
    const sol = scriptedSource('solana')
    const tracker = createTracker({ providers: [sol.source] })
    const tx = tracker.track({ chain: 'solana', id: 'sig1' })
    const confirmed = tx.reached('confirmed')
    sol.tier('sig1', 'pending')
    sol.tier('sig1', 'included', 'success')
    sol.tier('sig1', 'confirmed', 'success')
    const update = await confirmed
    expect(update).toMatchObject({ chain: 'solana', id: 'sig1', tier: 'confirmed', outcome: 'success' })
    expect(Object.keys(update.tierReachedAt)).toEqual(
      expect.arrayContaining(['pending', 'included', 'confirmed']),
    )
    sol.tier('sig1', 'finalized', 'success')
    expect((await tx.settled()).terminal?.kind).toBe('finalized')
    await tracker.close()
  })

  it('rejects reached() with TransactionFailed on failure, and settled() resolves with the failed terminal', async () => {
    const sol = scriptedSource('solana')
    const tracker = createTracker({ providers: [sol.source] })
    const tx = tracker.track({ chain: 'solana', id: 'sig2' })
    const wait = tx.reached('confirmed')
    sol.emit('sig2', {
      kind: 'failed',
      error: 'InstructionError',
      providerStatus: 'failed',
      source: 'stream',
      at: Date.now(),
    })
    await expect(wait).rejects.toMatchObject({ code: 'TransactionFailed' })
    expect(await tx.settled()).toMatchObject({ outcome: 'failure', terminal: { kind: 'failed' } })
    await tracker.close()
  })

  it('rejects on invalidation with TransactionInvalidated', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    const tx = tracker.track({ chain: 'ton', id: 't1' })
    ton.tier('t1', 'pending')
    ton.emit('t1', {
      kind: 'invalidated',
      providerStatus: 'trace_invalidated',
      source: 'stream',
      at: Date.now(),
    })
    await expect(tx.reached('confirmed')).rejects.toMatchObject({ code: 'TransactionInvalidated' })
    expect(tx.current.terminal?.kind).toBe('invalidated')
    await tracker.close()
  })

  it('treats time-outs as soft: WaitTimeout saying the outcome is unknown, never a failure', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    const tx = tracker.track({ chain: 'ton', id: 't2', timeoutMs: 50 })
    ton.tier('t2', 'pending')
    const error = await tx.settled().catch((e: unknown) => e)
    expect(isChainstreamError(error, 'WaitTimeout')).toBe(true)
    expect((error as Error).message).toMatch(/unknown/i)
    expect(tx.current).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
    expect(tx.current.terminal).toBeUndefined()
    // A per-call time-out ends only that wait.
    const other = tracker.track({ chain: 'ton', id: 't3' })
    await expect(other.reached('finalized', { timeoutMs: 20 })).rejects.toMatchObject({ code: 'WaitTimeout' })
    expect(other.ended).toBe(false)
    await tracker.close()
  })

  it('never resolves an aborted wait, even when the tier is reached right after', async () => {
    const sol = scriptedSource('solana')
    const tracker = createTracker({ providers: [sol.source] })
    const controller = new AbortController()
    const tx = tracker.track({ chain: 'solana', id: 'sig3', signal: controller.signal })
    const wait = tx.reached('confirmed')
    controller.abort()
    sol.tier('sig3', 'confirmed', 'success')
    await expect(wait).rejects.toMatchObject({ code: 'Aborted' })
    expect(tx.current.watch).toBe('aborted')
    const callAbort = new AbortController()
    const tx2 = tracker.track({ chain: 'solana', id: 'sig4' })
    const wait2 = tx2.reached('confirmed', { signal: callAbort.signal })
    callAbort.abort()
    sol.tier('sig4', 'confirmed', 'success')
    await expect(wait2).rejects.toMatchObject({ code: 'Aborted' })
    await tracker.close()
  })

  it('a track that has seen nothing: its current update, a not-found look-up and a malformed one', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source], target: 'confirmed' })
    const diagnostics: string[] = []
    tracker.on('diagnostic', (d) => {
      diagnostics.push(d.code)
    })
    const before = Date.now()
    const tx = tracker.track({ chain: 'ton', id: 'fresh' })
    expect(tx.chain).toBe('ton')
    expect(tx.current).toMatchObject({
      id: 'fresh',
      chain: 'ton',
      tier: 'unknown',
      outcome: 'unknown',
      watch: 'watching',
      target: 'confirmed',
      tierReachedAt: {},
    })
    expect(tx.current.at).toBeGreaterThanOrEqual(before)
    const updates: LifecycleUpdate[] = []
    tx.on('update', (u) => {
      updates.push(u)
    })
    const notFound = { kind: 'not_found', providerStatus: 'not_found', source: 'snapshot' } as const
    ton.emit('fresh', { ...notFound, at: Date.now() })
    ton.emit('fresh', { ...notFound, at: Number.NaN })
    expect(updates).toHaveLength(0)
    expect(diagnostics).toEqual(['invalid-observation'])
    ton.tier('fresh', 'confirmed', 'success')
    expect(updates).toHaveLength(1)
    expect(updates[0]).toMatchObject({ tier: 'confirmed', watch: 'reached', reachedTarget: true })
    expect(Object.keys(updates[0]?.tierReachedAt ?? {})).toEqual(['pending', 'included', 'confirmed'])
    await expect(tx.reached('confirmed')).resolves.toMatchObject({ tier: 'confirmed' })
    await tracker.close()
  })

  it('releases ended tracks and keeps only a bounded history', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source], history: 5 })
    const txs = tracker.trackMany(Array.from({ length: 20 }, (_, i) => ({ chain: 'ton', id: `x${i}` })))
    for (const tx of txs) ton.tier(tx.id, 'finalized', 'success')
    await flush()
    expect(tracker.size).toBe(0)
    expect(tracker.list()).toHaveLength(5)
    expect(ton.watched.size).toBe(0)
    await tracker.close()
  })

  it('1,000 concurrent tracks with random lifecycles end with exactly one terminal each', async () => {
    const sol = scriptedSource('solana')
    const tracker = createTracker({ providers: [sol.source] })
    const ids = Array.from({ length: 1_000 }, (_, i) => `s${i}`)
    const terminals = new Map<string, number>()
    const updates: LifecycleUpdate[] = []
    tracker.on('update', (u) => {
      updates.push(u)
      if (u.terminal) terminals.set(u.id, (terminals.get(u.id) ?? 0) + 1)
    })
    const txs = tracker.trackMany(ids.map((id) => ({ chain: 'solana', id })))
    const statuses = fc.sample(
      fc.array(
        fc.constantFrom<Observation['kind'] | 'pending' | 'included' | 'confirmed' | 'finalized' | 'failed'>(
          'pending',
          'included',
          'confirmed',
          'finalized',
          'failed',
        ),
        { minLength: 1, maxLength: 8 },
      ),
      { numRuns: 1_000, seed: 42 },
    )
    // Interleave all lifecycles, each ending with a terminal status (finalized or failed), duplicates included.
    for (let round = 0; round < 9; round++) {
      ids.forEach((id, i) => {
        const script = [...(statuses[i] ?? []), i % 3 === 0 ? 'failed' : 'finalized']
        const status = script[round]
        if (status === undefined) return
        if (status === 'failed') {
          sol.emit(id, { kind: 'failed', providerStatus: 'failed', source: 'stream', at: Date.now() })
        } else {
          sol.tier(id, status as 'pending', status === 'pending' ? undefined : 'success')
        }
      })
    }
    await Promise.all(txs.map((tx) => tx.settled()))
    expect(terminals.size).toBe(1_000)
    expect([...terminals.values()].every((n) => n === 1)).toBe(true)
    expect(tracker.size).toBe(0)
    await tracker.close()
  })

  it('keeps no payload of an update under way: `current` is made from the state, the events and waits carry `data`', async () => {
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    const tx = tracker.track({ chain: 'ton', id: 'abc', target: 'confirmed' })
    const updates: LifecycleUpdate[] = []
    tx.on('update', (u) => updates.push(u))
    const reached = tx.reached('confirmed')
    const settled = tx.settled()
    await flush()
    const observe = (tier: 'pending' | 'confirmed' | 'finalized', data: object) =>
      ton.emit('abc', {
        kind: 'tier',
        tier,
        outcome: 'success',
        providerStatus: tier,
        source: 'stream',
        at: Date.now(),
        data,
      })
    const confirmed = { notification: 'confirmed' }
    observe('pending', { notification: 'pending' })
    observe('confirmed', confirmed)
    expect(updates.map((u) => u.data)).toEqual([{ notification: 'pending' }, confirmed])
    // The wait resolves with the update on which the tier was reached, payload and all.
    expect(await reached).toBe(updates[1])
    // `current` says where the track is, without the payload; `reachedTarget` is kept.
    expect(tx.current).toMatchObject({ tier: 'confirmed', watch: 'reached', reachedTarget: true })
    expect(tx.current.data).toBeUndefined()
    const finalized = { notification: 'finalized' }
    observe('finalized', finalized)
    // Once ended, the last update itself: the terminal with its payload.
    expect(await settled).toBe(updates[2])
    expect(tx.current).toBe(updates[2])
    expect(tx.current.data).toBe(finalized)
    expect(tracker.list()[0]).toBe(updates[2])
    await tracker.close()
  })

  it('lets the payload of an update under way be collected once its listeners are done with it', async () => {
    // A payload kept per track until its next update is what made a burst of 20,000 tracks spend most
    // of its time collecting garbage (see Track).
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const ton = scriptedSource('ton')
    const tracker = createTracker({ providers: [ton.source] })
    const tx = tracker.track({ chain: 'ton', id: 'abc' })
    await flush()
    let payload: WeakRef<object> | undefined
    ;(() => {
      const data = { notification: 'x'.repeat(1_000) }
      payload = new WeakRef(data)
      ton.emit('abc', {
        kind: 'tier',
        tier: 'confirmed',
        outcome: 'success',
        providerStatus: 'confirmed',
        source: 'stream',
        at: Date.now(),
        data,
      })
    })()
    expect(tx.current.tier).toBe('confirmed')
    // A WeakRef's target stays alive until the end of the current job.
    await flush()
    gc()
    expect(payload?.deref()).toBeUndefined()
    expect(tx.ended).toBe(false)
    await tracker.close()
  })
})
