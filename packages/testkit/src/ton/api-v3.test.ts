import { fetch } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { formatTonAddress } from './address.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'
import type { TonAction, TonTransaction } from './wire-types.js'

let sim: TonSimulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const get = async (s: TonSimulator, path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${s.toncenter.v3BaseUrl}/${path}`, { headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Six traces between the first two wallets: committed, pending, invalidated, planned. */
const populate = async () => {
  sim = await createTonSimulator({ keys: { k: {} } })
  const s = sim
  const [a, b] = s.addresses as [string, string]
  const finalized = s.emitTrace({ addresses: [a, b] })
  await finalized.finish()
  const confirmed = s.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] })
  await confirmed.advance()
  await confirmed.advance()
  const pending = s.emitTrace({ addresses: [a, b] })
  await pending.advance()
  const invalidated = s.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'invalidated'] })
  await invalidated.finish()
  const planned = s.emitTrace({ addresses: [a, b] })
  const other = s.emitTrace({
    addresses: [s.addresses[2] as string, s.addresses[3] as string],
    stages: ['finalized'],
  })
  await other.finish()
  return { s, a, b, finalized, confirmed, pending, invalidated, planned, other }
}

describe('TON simulator — API v3', () => {
  it('transactions: only committed traces, filtered, sorted and paged', async () => {
    const { s, a, finalized, confirmed, other } = await populate()
    const committed = s.ledger.transactions()
    const all = await get(s, 'transactions?limit=1000&sort=asc')
    expect(all.status).toBe(200)
    expect(all.body.transactions).toEqual(committed)
    const committedTraceIds = new Set([finalized.traceId, confirmed.traceId, other.traceId])
    expect(new Set(committed.map((tx) => tx.trace_id))).toEqual(committedTraceIds)

    const mine = s.ledger.transactions({ accounts: [a] })
    const byFriendly = await get(s, `transactions?account=${formatTonAddress(a)}&limit=1000&sort=asc`)
    expect(byFriendly.body.transactions).toEqual(mine)
    expect(Object.keys(byFriendly.body.address_book as object)).toContain(a)

    const pages: TonTransaction[] = []
    for (let offset = 0; offset < mine.length; offset += 2) {
      const page = await get(s, `transactions?account=${a}&limit=2&offset=${offset}&sort=desc`)
      pages.push(...(page.body.transactions as TonTransaction[]))
    }
    expect(pages).toEqual([...mine].reverse())

    const middle = mine[1] as TonTransaction
    const range = await get(s, `transactions?account=${a}&start_lt=${middle.lt}&end_lt=${middle.lt}`)
    expect(range.body.transactions).toEqual([middle])
    const hex = Buffer.from(middle.hash, 'base64').toString('hex')
    expect((await get(s, `transactions?hash=${hex}`)).body.transactions).toEqual([middle])
    const utime = await get(s, `transactions?start_utime=${middle.now}&end_utime=${middle.now}&limit=1000`)
    expect((utime.body.transactions as TonTransaction[]).every((tx) => tx.now === middle.now)).toBe(true)
  })

  it('actions: by account, trace_id and action_type, with address book and metadata', async () => {
    const { s, a, confirmed } = await populate()
    const jetton = await get(s, `actions?account=${a}&action_type=jetton_transfer`)
    const actions = jetton.body.actions as TonAction[]
    expect(actions.map((action) => action.trace_id)).toEqual([confirmed.traceId])
    expect(actions[0]?.finality).toBe('confirmed')
    const metadata = jetton.body.metadata as Record<string, { token_info: { symbol?: string }[] }>
    expect(Object.values(metadata).some((m) => m.token_info[0]?.symbol === 'USD₮')).toBe(true)
    const byTrace = await get(s, `actions?trace_id=${encodeURIComponent(confirmed.traceId)}`)
    expect(byTrace.body.actions).toEqual(actions)
    expect(((await get(s, `actions?account=${a}&limit=1000`)).body.actions as TonAction[]).length).toBe(2)
  })

  it('actions and traces: time and LT bounds apply to the trace end, as the indexer filters them', async () => {
    const { s, a } = await populate()
    const all = (await get(s, `actions?account=${a}&limit=1000&sort=asc`)).body.actions as TonAction[]
    // An action that began before its trace ended: a bound between the two must still list it.
    const spanning = all.find((action) => action.start_utime < action.trace_end_utime)
    expect(spanning).toBeDefined()
    const { trace_end_utime: end, trace_end_lt: endLt } = spanning as TonAction
    const byTime = (await get(s, `actions?account=${a}&start_utime=${end}&limit=1000&sort=asc`)).body
      .actions as TonAction[]
    expect(byTime.map((action) => action.action_id)).toContain(spanning?.action_id)
    expect(byTime.every((action) => action.trace_end_utime >= end)).toBe(true)
    const byLt = (await get(s, `actions?account=${a}&start_lt=${endLt}&end_lt=${endLt}&limit=1000`)).body
      .actions as TonAction[]
    expect(byLt.length).toBeGreaterThan(0)
    expect(byLt.every((action) => action.trace_end_lt === endLt)).toBe(true)
    // Sorted by the trace end, then trace id: one trace's actions stay together.
    const order = byTime.map((action) => `${action.trace_end_utime}:${action.trace_id}`)
    expect(order).toEqual([...order].sort())

    const traces = (await get(s, `traces?account=${a}&limit=100&sort=asc`)).body.traces as {
      trace_id: string
      start_utime: number
      end_utime: number
      end_lt: string
    }[]
    const spanningTrace = traces.find((trace) => trace.start_utime < trace.end_utime)
    expect(spanningTrace).toBeDefined()
    const traceEnd = spanningTrace?.end_utime as number
    const listed = (await get(s, `traces?account=${a}&start_utime=${traceEnd}&limit=100`)).body
      .traces as typeof traces
    expect(listed.map((trace) => trace.trace_id)).toContain(spanningTrace?.trace_id)
    expect(listed.every((trace) => trace.end_utime >= traceEnd)).toBe(true)
  })

  it('traces: committed ones by trace_id, msg_hash or the external hash norm; an invalidated trace is gone', async () => {
    const { s, finalized, invalidated, pending } = await populate()
    const byNorm = await get(
      s,
      `traces?msg_hash=${encodeURIComponent(finalized.traceExternalHashNorm)}&include_actions=true`,
    )
    const traces = byNorm.body.traces as Record<string, unknown>[]
    expect(traces).toHaveLength(1)
    expect(traces[0]).toMatchObject({
      trace_id: finalized.traceId,
      external_hash: finalized.externalHash,
      trace_external_hash_norm: finalized.traceExternalHashNorm,
      finality: 'finalized',
      is_incomplete: false,
    })
    expect(traces[0]?.actions).toEqual(s.ledger.trace(finalized.traceExternalHashNorm)?.actions)
    expect(
      (await get(s, `traces?trace_id=${encodeURIComponent(finalized.traceId)}`)).body.traces,
    ).toHaveLength(1)
    expect(
      (await get(s, `traces?msg_hash=${encodeURIComponent(invalidated.traceExternalHashNorm)}`)).body.traces,
    ).toEqual([])
    expect(
      (await get(s, `traces?msg_hash=${encodeURIComponent(pending.traceExternalHashNorm)}`)).body.traces,
    ).toEqual([])
    const all = await get(s, 'traces?limit=100')
    expect((all.body.traces as unknown[]).length).toBe(3)
  })

  it('pendingTraces, pendingTransactions and pendingActions show traces whose last stage is pending', async () => {
    const { s, pending } = await populate()
    const traces = (await get(s, 'pendingTraces')).body.traces as Record<string, unknown>[]
    expect(traces.map((t) => t.trace_external_hash_norm)).toEqual([pending.traceExternalHashNorm])
    const byExt = await get(s, `pendingTraces?ext_msg_hash=${encodeURIComponent(pending.externalHash)}`)
    expect(byExt.body.traces).toHaveLength(1)
    const txs = (await get(s, 'pendingTransactions')).body.transactions as TonTransaction[]
    expect(
      txs.every((tx) => tx.trace_id === pending.traceId && tx.finality === 'pending' && tx.emulated),
    ).toBe(true)
    const actions = (await get(s, 'pendingActions')).body.actions as TonAction[]
    expect(actions.map((action) => action.trace_id)).toEqual([null])
  })

  it('auth, limits, faults and call counts', async () => {
    const { s } = await populate()
    expect(await get(s, 'transactions', { 'x-api-key': 'wrong' })).toEqual({
      status: 401,
      body: { error: 'API key does not exist' },
    })
    expect((await get(s, 'transactions?api_key=k')).status).toBe(200)
    expect((await get(s, 'transactions?limit=1001')).status).toBe(400)
    expect((await get(s, 'transactions?sort=up')).status).toBe(400)
    expect((await get(s, 'transactions?account=nope')).body).toEqual({ error: 'invalid address: nope' })
    s.failNext({ status: 429, body: { ok: false, result: 'Ratelimit exceed', code: 429 }, on: 'v3' })
    expect(await get(s, 'traces')).toEqual({
      status: 429,
      body: { ok: false, result: 'Ratelimit exceed', code: 429 },
    })
    expect((await get(s, 'nothing')).status).toBe(404)
    expect(s.v3Calls).toEqual({ transactions: 5, traces: 1, nothing: 1 })
  })

  it('delayApiV3 answers the next requests late, with the chain as it stands then', async () => {
    sim = await createTonSimulator({ keys: { k: {} } })
    const s = sim
    const [a, b] = s.addresses as [string, string]
    s.delayApiV3({ ms: 600, times: 2 })
    const started = Date.now()
    const late = get(s, `traces?account=${a}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await s.emitTrace({ addresses: [a, b], stages: ['finalized'] }).finish()
    const answer = await late
    expect(Date.now() - started).toBeGreaterThanOrEqual(590)
    expect((answer.body.traces as unknown[]).length).toBe(1)
    const second = Date.now()
    await get(s, 'traces')
    expect(Date.now() - second).toBeGreaterThanOrEqual(590)
    const third = Date.now()
    await get(s, 'traces')
    expect(Date.now() - third).toBeLessThan(590)
  })

  it('masterchainInfo: the clock never runs ahead of real time, goes on between traces, and no later trace starts before it', async () => {
    sim = await createTonSimulator({ keys: { k: {} } })
    const s = sim
    const createdAt = Date.now()
    const [a, b] = s.addresses as [string, string]
    const clock = async () => {
      const last = (await get(s, 'masterchainInfo')).body.last as Record<string, unknown>
      expect(last).toMatchObject({ workchain: -1, shard: '-9223372036854775808' })
      expect(typeof last.seqno).toBe('number')
      // A string, as the indexer's `json:"gen_utime,string"` writes it.
      expect(last.gen_utime).toMatch(/^\d+$/)
      return Number(last.gen_utime)
    }
    const first = s.emitTrace({ addresses: [a, b], stages: ['finalized'] })
    await first.finish()
    const end = Math.max(...first.transactions.map((tx) => tx.now))
    // The trace moved the virtual clock 1–3 s at once; the indexer follows at real speed.
    expect(await clock()).toBeLessThanOrEqual(1_785_480_000 + Math.ceil((Date.now() - createdAt) / 1000))
    const deadline = Date.now() + 6_000
    while ((await clock()) < end && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const caughtUp = await clock()
    expect(caughtUp).toBeGreaterThanOrEqual(end)
    // Idle, the chain keeps making blocks.
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    const later = await clock()
    expect(later).toBeGreaterThanOrEqual(caughtUp + 2)
    const next = s.emitTrace({ addresses: [a, b], stages: ['finalized'] })
    expect(next.transactions[0]?.now).toBeGreaterThanOrEqual(later)
  })

  it("blocks: a finalized trace's mc_seqno_end names the block it finalized in, never older than its transactions", async () => {
    sim = await createTonSimulator({ keys: { k: {} } })
    const s = sim
    const [a, b] = s.addresses as [string, string]
    const traceOf = async (id: string) =>
      (
        (await get(s, `traces?trace_id=${encodeURIComponent(id)}`)).body.traces as Record<string, unknown>[]
      )[0]
    const first = s.emitTrace({ addresses: [a, b] })
    await first.advance()
    await first.advance()
    const second = s.emitTrace({ addresses: [b, a] })
    await second.finish()
    await first.finish()

    const finalOf = async (id: string) => {
      const trace = (await traceOf(id)) as Record<string, unknown>
      // Strings, as the indexer's `McSeqnoEnd HashType` writes them.
      expect(trace.mc_seqno_start).toMatch(/^\d+$/)
      expect(trace.mc_seqno_end).toMatch(/^\d+$/)
      return Number(trace.mc_seqno_end)
    }
    const secondBlock = await finalOf(second.traceId)
    const firstBlock = await finalOf(first.traceId)
    // The first trace finalized after the second: in a later block.
    expect(firstBlock).toBeGreaterThan(secondBlock)

    const all = (await get(s, 'blocks?workchain=-1&sort=asc&limit=100')).body.blocks as Record<
      string,
      unknown
    >[]
    expect(all.map((block) => block.seqno)).toEqual([secondBlock, firstBlock])
    for (const block of all) {
      expect(block).toMatchObject({ workchain: -1, shard: '-9223372036854775808' })
      expect(block.gen_utime).toMatch(/^\d+$/)
    }
    const [early, late] = all.map((block) => Number(block.gen_utime)) as [number, number]
    const newest = Math.max(...[...first.transactions, ...second.transactions].map((tx) => tx.now))
    expect(late).toBeGreaterThanOrEqual(early)
    expect(late).toBeGreaterThanOrEqual(newest)

    // `end_utime` is inclusive; the newest first by default.
    const atOrBefore = async (utime: number) =>
      ((await get(s, `blocks?workchain=-1&end_utime=${utime}&limit=1`)).body.blocks as { seqno: number }[])[0]
        ?.seqno
    expect(await atOrBefore(late)).toBe(firstBlock)
    expect(await atOrBefore(early - 1)).toBeUndefined()
    expect((await get(s, 'blocks?workchain=0')).body).toEqual({ blocks: [] })
    expect((await get(s, 'blocks?workchain=main')).status).toBe(400)
  })
})
