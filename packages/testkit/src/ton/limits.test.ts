import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { connectWs, openSse, sleep } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator, type TonSimulatorOptions } from './ton-simulator.js'

const A = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
const BODY = { types: ['transactions'], addresses: [A] }
const LINGER_MS = 150

let sim: TonSimulator | undefined
const sockets: WebSocket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate()
  await sim?.close()
  sim = undefined
})

const start = async (options: TonSimulatorOptions = {}) => {
  sim = await createTonSimulator({
    keys: { k1: { maxConnections: 1 }, k2: { maxConnections: 2 } },
    lingerMs: LINGER_MS,
    ...options,
  })
  return sim
}

/** Opens a raw socket and records everything until it closes. */
const rawWs = (url: string, headers: Record<string, string>) =>
  new Promise<{ opened: boolean; messages: string[]; code: number; status?: number; body?: string }>(
    (resolve) => {
      const socket = new WebSocket(url, { headers })
      sockets.push(socket)
      const messages: string[] = []
      let opened = false
      socket.on('open', () => {
        opened = true
      })
      socket.on('message', (data) => messages.push(data.toString()))
      socket.on('error', () => {})
      socket.on('close', (code) => resolve({ opened, messages, code }))
      socket.on('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        res.on('end', () =>
          resolve({ opened, messages, code: 0, ...(res.statusCode ? { status: res.statusCode } : {}), body }),
        )
      })
    },
  )

describe('TON simulator — keys and connection limits', () => {
  it('SSE: over the limit is 429 with the limit, and a dropped session lingers before the slot frees', async () => {
    const s = await start()
    const first = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k1' })
    expect(first.status).toBe(200)
    const second = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k1' })
    expect({ status: second.status, body: second.error }).toEqual({
      status: 429,
      body: { error: 'connection limit reached: 1 active connections' },
    })
    first.close()
    await (await s.nextSession()).closed
    expect(s.connections.byKey.k1).toEqual({ active: 0, lingering: 1 })
    const tooSoon = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k1' })
    expect(tooSoon.status).toBe(429)
    await sleep(LINGER_MS + 50)
    const later = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k1' })
    expect(later.status).toBe(200)
    later.close()
  })

  it('WS: over the limit the upgrade is accepted, the error sent without id, then the socket dropped (1006)', async () => {
    const s = await start()
    const held = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    sockets.push(held.socket)
    const refused = await rawWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    expect(refused).toEqual({
      opened: true,
      messages: ['{"error":"connection limit reached: 1 active connections"}'],
      code: 1006,
    })
    expect(s.sessions).toHaveLength(1)
  })

  it('WS without a key gets the limit-0 error; an unknown key is refused with 401 before the upgrade', async () => {
    const s = await start()
    expect(await rawWs(s.toncenter.wsUrl, {})).toEqual({
      opened: true,
      messages: ['{"error":"connection limit reached: 0 active connections"}'],
      code: 1006,
    })
    expect(await rawWs(`${s.tonapi.wsUrl}?token=nope`, {})).toEqual({
      opened: false,
      messages: [],
      code: 0,
      status: 401,
      body: '{"error":"API key does not exist"}',
    })
  })

  it('counts SSE and WS together, across flavours', async () => {
    const s = await start()
    const sse = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k2' })
    const ws = await connectWs(`${s.tonapi.wsUrl}?token=k2`)
    sockets.push(ws.socket)
    expect(s.connections).toMatchObject({
      active: 2,
      sse: 1,
      ws: 1,
      byKey: { k2: { active: 2, lingering: 0 } },
    })
    const third = await openSse(s.tonapi.sseUrl, BODY, { authorization: 'Bearer k2' })
    expect(third.error).toEqual({ error: 'connection limit reached: 2 active connections' })
    sse.close()
  })

  it('a WS frees its slot at once, closed cleanly or vanished (1006), as server.go does', async () => {
    const s = await start()
    const clean = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    clean.socket.close(1000)
    await (await s.nextSession()).closed
    expect(s.connections.byKey.k1).toBeUndefined()
    const abrupt = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    abrupt.socket.terminate()
    await (await s.nextSession()).closed
    expect(s.connections.byKey.k1).toBeUndefined()
    const again = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    sockets.push(again.socket)
  })

  it('wsLingerMs holds a WS that vanished without a close frame (a gateway), never a clean close', async () => {
    const s = await start({ wsLingerMs: LINGER_MS })
    const clean = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    clean.socket.close(1000)
    await (await s.nextSession()).closed
    expect(s.connections.byKey.k1).toBeUndefined()
    const abrupt = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    abrupt.socket.terminate()
    await (await s.nextSession()).closed
    expect(s.connections.byKey.k1).toEqual({ active: 0, lingering: 1 })
    const refused = await rawWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    expect(refused.messages).toEqual(['{"error":"connection limit reached: 1 active connections"}'])
    s.clearLinger()
    const again = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    sockets.push(again.socket)
  })

  it('dropConnections drops abruptly and lingers unless told not to', async () => {
    const s = await start()
    const sse = await openSse(s.toncenter.sseUrl, BODY, { 'x-api-key': 'k1' })
    const ws = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k2' })
    expect(s.dropConnections({ key: 'k1' })).toBe(1)
    await sse.ended
    expect(s.connections.byKey.k1).toEqual({ active: 0, lingering: 1 })
    expect(s.dropConnections({ transport: 'ws', linger: false })).toBe(1)
    expect((await ws.closed).code).toBe(1006)
    await sleep(5)
    expect(s.connections.byKey.k2).toBeUndefined()
    // A drop with the linger stands for a gateway cutting the connection: the WS is held for lingerMs too.
    const held = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k2' })
    expect(s.dropConnections({ transport: 'ws' })).toBe(1)
    await held.closed
    await sleep(5)
    expect(s.connections.byKey.k2).toEqual({ active: 0, lingering: 1 })
  })

  it('failNext refuses the next WS upgrade with the status, body and Retry-After', async () => {
    const s = await start()
    s.failNext({ status: 503, body: 'maintenance', retryAfter: 3, on: 'ws' })
    const refused = await new Promise<{ status?: number; retryAfter?: string }>((resolve) => {
      const socket = new WebSocket(s.toncenter.wsUrl, { headers: { 'x-api-key': 'k1' } })
      sockets.push(socket)
      socket.on('error', () => {})
      socket.on('unexpected-response', (_req, res) =>
        resolve({
          ...(res.statusCode ? { status: res.statusCode } : {}),
          ...(typeof res.headers['retry-after'] === 'string'
            ? { retryAfter: res.headers['retry-after'] }
            : {}),
        }),
      )
    })
    expect(refused).toEqual({ status: 503, retryAfter: '3' })
    const next = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k1' })
    sockets.push(next.socket)
  })
})
