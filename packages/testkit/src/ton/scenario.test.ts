import { afterEach, describe, expect, it } from 'vitest'
import { parseTonAddress } from './address.js'
import { sleep } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'
import type { TonTransaction } from './wire-types.js'

const sims: TonSimulator[] = []
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

const create = async () => {
  const s = await createTonSimulator()
  sims.push(s)
  return s
}

const notifications = (s: TonSimulator) => s.ledger.events.map((event) => event.notification)

describe('TON simulator — scenario engine', () => {
  it('is deterministic: the same seed yields the same ledger, another seed another', async () => {
    const [one, two, three] = [await create(), await create(), await create()]
    await one.step(60, { seed: 7 })
    await two.step(60, { seed: 7 })
    await three.step(60, { seed: 8 })
    expect(notifications(one).length).toBeGreaterThan(150)
    expect(notifications(two)).toEqual(notifications(one))
    expect(notifications(three)).not.toEqual(notifications(one))
  })

  it("never repeats an emitted trace's external message or trace id, with the simulator's own seed", async () => {
    // With one PRNG stream for both, these seeds gave a scenario trace the hashes of an emitted one: two
    // traces with one trace id and one external message, which a client rightly takes for one.
    for (const seed of [26, 31, 34, 39]) {
      const sim = await createTonSimulator({ seed })
      sims.push(sim)
      const [a, b] = sim.addresses as [string, string]
      for (let i = 0; i < 30; i++) {
        await sim.step(1, { seed })
        sim.emitTrace({ addresses: [a, b] })
      }
      const traces = sim.ledger.traces
      expect(new Set(traces.map((t) => t.traceId)).size, `seed ${seed}`).toBe(traces.length)
      expect(new Set(traces.map((t) => t.externalHash)).size, `seed ${seed}`).toBe(traces.length)
    }
  })

  it('starts the new traces of a step from the wallets named alone, while the traces in flight go on', async () => {
    const sim = await create()
    const [a, b, c, d] = sim.addresses as [string, string, string, string]
    await sim.step(10, { seed: 5 })
    const before = new Set(sim.ledger.traces.map((t) => t.traceExternalHashNorm))
    const inFlight = sim.ledger.traces.filter((t) => t.status === 'pending' || t.status === 'confirmed')
    expect(inFlight.length).toBeGreaterThan(0)
    const mark = sim.ledger.mark()
    await sim.step(20, { seed: 5 }, [c, d])
    const fresh = sim.ledger.traces.filter((t) => !before.has(t.traceExternalHashNorm))
    expect(fresh.length).toBe(20)
    for (const trace of fresh) {
      expect(trace.accounts.some((account) => account === c || account === d)).toBe(true)
      expect(trace.involved).not.toContain(a)
      expect(trace.involved).not.toContain(b)
    }
    // The traces in flight before went on through their stages, whoever they involve.
    const moved = sim.ledger
      .since(mark)
      .filter((e) =>
        inFlight.some((t) => t.traceExternalHashNorm === e.notification.trace_external_hash_norm),
      )
    expect(moved.length).toBeGreaterThan(0)
    await expect(sim.step(1, { seed: 5 }, [])).rejects.toThrow(/at least one wallet/)
  })

  it('runs on a timer at the chosen rate; the timed ledger is a prefix of the stepped one', async () => {
    const timed = await create()
    timed.start({ seed: 3, ratePerSecond: 200 })
    await sleep(150)
    await timed.stop()
    const ticks = timed.ledger.traces.length
    expect(ticks).toBeGreaterThan(5)
    const stepped = await create()
    await stepped.step(ticks, { seed: 3 })
    expect(notifications(timed)).toEqual(notifications(stepped))
  })

  it('produces realistic stage paths, and stop({ finish }) completes every trace in flight', async () => {
    const s = await create()
    await s.step(200, { seed: 11 })
    await s.stop({ finish: true })
    const statuses = new Set(s.ledger.traces.map((t) => t.status))
    expect([...statuses].sort()).toEqual(['finalized', 'invalidated'])
    const paths = new Set(s.ledger.traces.map((t) => t.stages.join('>')))
    expect(paths).toContain('pending>confirmed>finalized')
    expect(paths).toContain('pending>invalidated')
    expect(paths).toContain('pending>confirmed>invalidated')
    expect(
      [...paths].some((p) => p === 'pending>finalized' || p === 'confirmed>finalized' || p === 'finalized'),
    ).toBe(true)
    expect(s.ledger.traces.some((t) => t.failed)).toBe(true)
    const types = new Set(s.ledger.traces.flatMap((t) => t.actionTypes))
    expect(types).toContain('ton_transfer')
    expect(types).toContain('jetton_transfer')
  })

  it('emits well-formed notifications for every stage', async () => {
    const s = await create()
    await s.step(40, { seed: 5 })
    await s.stop({ finish: true })
    for (const { notification: n } of s.ledger.events) {
      switch (n.type) {
        case 'transactions': {
          const txs = n.transactions as TonTransaction[]
          const lts = txs.map((tx) => BigInt(tx.lt))
          expect(lts.every((lt, i) => i === 0 || (lts[i - 1] as bigint) > lt)).toBe(true)
          for (const tx of txs) {
            expect(parseTonAddress(tx.account)).toBe(tx.account)
            expect(tx.hash).toMatch(/^[A-Za-z0-9+/]{43}=$/)
            expect(tx.lt).toMatch(/^\d+$/)
            expect(tx.total_fees).toMatch(/^\d+$/)
            expect(typeof tx.now).toBe('number')
            expect(tx.description).toHaveProperty('compute_ph')
            expect(tx.finality).toBe(n.finality)
          }
          expect(n.trace_external_hash_norm).toMatch(/^[A-Za-z0-9+/]{43}=$/)
          break
        }
        case 'actions':
          for (const action of n.actions as { trace_id: string | null; finality: string }[]) {
            expect(action.trace_id === null).toBe(n.finality === 'pending')
          }
          break
        case 'trace': {
          const hashes = Object.keys(n.transactions as object)
          expect(hashes).toEqual([...hashes].sort())
          const walk = (node: { tx_hash: string; children: unknown[] }): number =>
            1 + node.children.reduce<number>((sum, child) => sum + walk(child as typeof node), 0)
          expect(walk(n.trace as { tx_hash: string; children: unknown[] })).toBe(hashes.length)
          break
        }
        case 'account_state_change':
        case 'jettons_change':
          expect(n.finality).not.toBe('pending')
          break
        case 'trace_invalidated':
          expect(s.ledger.trace(String(n.trace_external_hash_norm))?.finality).not.toBe('finalized')
          break
        default:
          throw new Error(`unexpected type ${String(n.type)}`)
      }
    }
  })
})

describe('TON simulator — manual emission', () => {
  it('emitTrace plans first and emits one stage per advance()', async () => {
    const s = await create()
    const [a, b] = s.addresses as [string, string]
    const trace = s.emitTrace({
      addresses: [a, b],
      actionTypes: ['jetton_transfer', 'ton_transfer'],
      amount: '5000000',
    })
    expect(s.ledger.events).toEqual([])
    expect(s.ledger.trace(trace.traceExternalHashNorm)?.status).toBe('planned')
    expect(await trace.advance()).toBe('pending')
    expect(s.ledger.events.map((e) => e.notification.type)).toEqual(['transactions', 'actions', 'trace'])
    expect(await trace.advance()).toBe('confirmed')
    expect(s.ledger.events.slice(3).map((e) => e.notification.type)).toEqual([
      'transactions',
      'actions',
      'trace',
      ...Array(new Set(trace.transactions.map((tx) => tx.account)).size).fill('account_state_change'),
      'jettons_change',
      'jettons_change',
    ])
    expect(trace.remaining).toEqual(['finalized'])
    await trace.finish()
    expect(await trace.advance()).toBeUndefined()
    expect(trace.actions.map((action) => [action.type, action.accounts.includes(b)])).toEqual([
      ['jetton_transfer', true],
      ['ton_transfer', true],
    ])
    expect(trace.actions[0]?.details).toMatchObject({ amount: '5000000', sender: a, receiver: b })
  })

  it('a failed trace aborts the first hop and bounces', async () => {
    const s = await create()
    const [a, b] = s.addresses as [string, string]
    const trace = s.emitTrace({
      addresses: [a, b],
      actionTypes: ['call_contract'],
      failed: true,
      stages: ['finalized'],
    })
    const failed = trace.transactions.find((tx) => tx.account === b)
    expect(failed?.description).toMatchObject({ aborted: true, compute_ph: { success: false, exit_code: 9 } })
    expect(failed?.out_msgs[0]).toMatchObject({ destination: a, bounced: true })
    expect(trace.actions[0]?.success).toBe(false)
  })

  it('rejects impossible stage lists', async () => {
    const s = await create()
    const a = s.addresses[0] as string
    expect(() => s.emitTrace({ addresses: [a], stages: [] })).toThrow(/at least one/)
    expect(() => s.emitTrace({ addresses: [a], stages: ['confirmed', 'pending'] })).toThrow(/increase/)
    expect(() => s.emitTrace({ addresses: [a], stages: ['finalized', 'invalidated'] })).toThrow(/finalized/)
    expect(() => s.emitTrace({ addresses: ['nope'] })).toThrow(/invalid TON address/)
  })

  it('emits account states and jetton changes on demand', async () => {
    const s = await create()
    const a = s.addresses[0] as string
    const state = await s.emitAccountState({ account: a, finality: 'confirmed', state: { balance: '42' } })
    expect(state).toMatchObject({
      type: 'account_state_change',
      finality: 'confirmed',
      account: a,
      state: { balance: '42' },
    })
    const jetton = await s.emitJettonChange({ owner: a, balance: '7', finality: 'finalized' })
    expect(jetton.jetton).toMatchObject({
      owner: a,
      balance: '7',
      jetton: '0:B113A994B5024A16719F69139328EB759596C38A25F59028B146FECDC3621DFE',
    })
    expect(s.ledger.since(1).map((e) => e.notification)).toEqual([jetton])
  })
})
