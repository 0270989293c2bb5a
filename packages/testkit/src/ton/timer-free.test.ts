import { afterEach, describe, expect, it } from 'vitest'
import { compareLt } from './ledger.js'
import type { TonScenarioOptions } from './scenario.js'
import { connectWs, openSse, type SseClient, sleep, type WsClient } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'
import type { TonTransaction } from './wire-types.js'

const KEY = { 'x-api-key': 'k' }

const sims: TonSimulator[] = []
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

/** Everything a chaos run turns off: no keepalive timer, no linger timers. */
const create = async () => {
  const s = await createTonSimulator({
    keys: { k: { maxConnections: 4 } },
    keepaliveMs: 0,
    lingerMs: 0,
    wsLingerMs: 0,
  })
  sims.push(s)
  return s
}

/**
 * Finalized `transactions` of a trace arriving after a finalized one with a higher LT on the same account:
 * `[account, earlier-finalized higher LT, later-finalized lower LT]`.
 */
const lateFinalizations = (s: TonSimulator): [string, string, string][] => {
  const highest = new Map<string, string>()
  const late: [string, string, string][] = []
  for (const { notification } of s.ledger.events) {
    if (notification.type !== 'transactions' || notification.finality !== 'finalized') continue
    const txs = notification.transactions as TonTransaction[]
    // Against earlier traces only (a trace lists its own transactions LT descending).
    for (const tx of txs) {
      const top = highest.get(tx.account)
      if (top !== undefined && compareLt(tx.lt, top) < 0) late.push([tx.account, top, tx.lt])
    }
    for (const tx of txs) {
      const top = highest.get(tx.account)
      if (top === undefined || compareLt(tx.lt, top) > 0) highest.set(tx.account, tx.lt)
    }
  }
  return late
}

const run = async (options: TonScenarioOptions) => {
  const s = await create()
  await s.step(150, options)
  await s.stop({ finish: true })
  return s
}

describe('TON simulator — timer-free runs', () => {
  it('keepaliveMs: 0 sends no keepalive (a keepalive can still be written by hand)', async () => {
    const s = await create()
    const client = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [s.addresses[0]] },
      KEY,
    )
    await sleep(30)
    expect(client.text).toBe('event: connected\ndata: {"status":"subscribed"}\n\n')
    s.sendKeepalive()
    await client.waitFor((_, text) => text.endsWith(': keepalive\n\n'))
    client.close()
  })

  it('finalizes out of LT order on one account: an older trace after a newer one', async () => {
    const plain = await run({ seed: 1 })
    const late = lateFinalizations(plain)
    expect(late.length).toBeGreaterThan(0)
    const [account, newer, older] = late[0] as [string, string, string]
    const touching = (lt: string) =>
      plain.ledger.traces.find((t) => t.transactions.some((tx) => tx.account === account && tx.lt === lt))
    expect(compareLt(touching(older)?.startLt ?? '0', touching(newer)?.startLt ?? '0')).toBe(-1)

    // slowFinalizeRate holds some traces' last stage for 5–15 ticks: more, and longer, inversions.
    const slow = await run({ seed: 1, slowFinalizeRate: 0.3 })
    expect(lateFinalizations(slow).length).toBeGreaterThan(late.length)
    // Without the option the seed's ledger is what it always was.
    const zero = await run({ seed: 1, slowFinalizeRate: 0 })
    expect(zero.ledger.events.map((e) => e.notification)).toEqual(
      plain.ledger.events.map((e) => e.notification),
    )
  })

  it('survives a stepped run with faults and reconnects, and accounts for every notification', async () => {
    const s = await create()
    const body = { types: ['transactions', 'actions', 'account_state_change'], addresses: s.addresses }
    let sse: SseClient | undefined
    let ws: WsClient | undefined
    const connect = async () => {
      sse = await openSse(s.toncenter.sseUrl, { ...body, min_finality: 'pending' }, KEY)
      ws = await connectWs(s.toncenter.wsUrl, KEY)
      await ws.request({ operation: 'subscribe', id: 's', ...body })
    }
    await connect()
    for (let i = 1; i <= 300; i++) {
      await s.step(1, { seed: 9, invalidationRate: 0.2 })
      if (i % 60 === 0) {
        // No linger: the reconnect is accepted at once.
        s.dropConnections()
        await Promise.all([sse?.ended, ws?.closed])
        await connect()
      }
    }
    await s.stop({ finish: true })
    expect(s.sessions).toHaveLength(12)
    expect(s.connections).toMatchObject({ active: 2, lingering: 0 })
    const [lastSse, lastWs] = s.sessions.slice(-2)
    await expect
      .poll(() => [sse?.data.length, ws?.raw.length].join())
      .toBe([(lastSse?.written.length ?? 0) + 1, (lastWs?.written.length ?? 0) + 1].join())
    for (const session of s.sessions) {
      expect(session.queued).toBe(0)
      expect(session.dropped).toEqual([])
      expect(new Set(session.written.map((w) => w.seq)).size).toBe(session.written.length)
    }
    sse?.close()
    ws?.socket.terminate()
  })
})
