import { afterEach, describe, expect, it } from 'vitest'
import { connectWs, openSse, sleep, type WsClient } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'

let sim: TonSimulator | undefined
const clients: WsClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate()
  await sim?.close()
  sim = undefined
})

const start = async () => {
  sim = await createTonSimulator({ keys: { k: { maxConnections: 5 } }, keepaliveMs: 30, lingerMs: 0 })
  return sim
}

const ws = async (s: TonSimulator) => {
  const client = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k' })
  clients.push(client)
  return client
}

describe('TON simulator — fault injection', () => {
  it('silence() stops keepalives and events while the SSE socket stays open until the client leaves', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const client = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { 'x-api-key': 'k' },
    )
    await client.waitFor((_, text) => text.includes(': keepalive'))
    s.silence()
    const before = client.text
    await s.emitTrace({ addresses: [a, b], stages: ['finalized'] }).finish()
    await sleep(120)
    expect(client.text).toBe(before)
    expect(s.sessions[0]?.isClosed).toBe(false)
    expect(s.connections.active).toBe(1)
    // A client that gives up still ends the session.
    client.close()
    await s.sessions[0]?.closed
  })

  it('silence(session) affects only that WebSocket: no acks, no pongs', async () => {
    const s = await start()
    const quiet = await ws(s)
    const loud = await ws(s)
    s.silence(await s.nextSession())
    quiet.send({ operation: 'ping', id: 'q' })
    const protocolPong = new Promise<boolean>((resolve) => {
      quiet.socket.once('pong', () => resolve(true))
      setTimeout(() => resolve(false), 100)
    })
    quiet.socket.ping()
    expect((await loud.request({ operation: 'ping', id: 'l' })).status).toBe('pong')
    expect(await protocolPong).toBe(false)
    expect(quiet.messages).toEqual([])
  })

  it('stopAnsweringPings() withholds pongs (both kinds) but keeps events flowing; new connections answer', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const halfOpen = await ws(s)
    await halfOpen.request({ operation: 'subscribe', id: 's', types: ['transactions'], addresses: [a] })
    s.stopAnsweringPings()
    halfOpen.send({ operation: 'ping', id: 'p' })
    const protocolPong = new Promise<boolean>((resolve) => {
      halfOpen.socket.once('pong', () => resolve(true))
      setTimeout(() => resolve(false), 100)
    })
    halfOpen.socket.ping()
    await s.emitTrace({ addresses: [a, b], stages: ['finalized'] }).finish()
    await halfOpen.next((m) => m.type === 'transactions')
    expect(await protocolPong).toBe(false)
    expect(halfOpen.messages.some((m) => m.status === 'pong')).toBe(false)
    const fresh = await ws(s)
    expect((await fresh.request({ operation: 'ping', id: 'f' })).status).toBe('pong')
    s.resumeAnsweringPings()
    expect((await halfOpen.request({ operation: 'ping', id: 'p2' })).status).toBe('pong')
  })

  it('failNext applies in order to the requests it targets, `times` over', async () => {
    const s = await start()
    const a = s.addresses[0] as string
    s.failNext({ status: 502, on: 'stream', times: 2 })
    const first = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { 'x-api-key': 'k' },
    )
    const second = await openSse(
      s.tonapi.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { authorization: 'Bearer k' },
    )
    const third = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { 'x-api-key': 'k' },
    )
    expect([first.status, second.status, third.status]).toEqual([502, 502, 200])
    expect(first.error).toEqual({ error: 'Bad Gateway' })
    third.close()
  })

  it('clearFaults() forgets the faults no request took yet', async () => {
    const s = await start()
    const a = s.addresses[0] as string
    s.failNext({ status: 500, on: 'v3', times: 10_000 })
    const url = `${s.toncenter.v3BaseUrl}/transactions?account=${a}&limit=1`
    expect((await fetch(url, { headers: { 'x-api-key': 'k' } })).status).toBe(500)
    s.clearFaults()
    expect((await fetch(url, { headers: { 'x-api-key': 'k' } })).status).toBe(200)
  })

  it('clearFaults(on) forgets only the faults queued for that target', async () => {
    const s = await start()
    const a = s.addresses[0] as string
    s.failNext({ status: 502, on: 'v3', times: 10_000 })
    s.failNext({ status: 503, on: 'stream' })
    s.failNext({ status: 500 })
    s.clearFaults('v3')
    const url = `${s.toncenter.v3BaseUrl}/transactions?account=${a}&limit=1`
    // The untargeted fault is next for any request; then API v3 answers again.
    expect((await fetch(url, { headers: { 'x-api-key': 'k' } })).status).toBe(500)
    expect((await fetch(url, { headers: { 'x-api-key': 'k' } })).status).toBe(200)
    const sse = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { 'x-api-key': 'k' },
    )
    expect(sse.status).toBe(503)
  })

  it('records every request, and close() ends open streams', async () => {
    const s = await start()
    const a = s.addresses[0] as string
    const sse = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [a] },
      { 'x-api-key': 'k' },
    )
    const socket = await ws(s)
    s.start({ ratePerSecond: 100 })
    await sleep(30)
    expect(s.requests.map((r) => r.method)).toEqual(['POST', 'GET'])
    expect(s.requests[0]?.body).toContain('"transactions"')
    await s.close()
    await sse.ended
    expect((await socket.closed).code).toBe(1006)
    expect(s.connections).toMatchObject({ active: 0, lingering: 0 })
    sim = undefined
  })
})
