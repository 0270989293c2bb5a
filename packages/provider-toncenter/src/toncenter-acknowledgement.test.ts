import { isChainstreamError } from '@chainstream/core'
import {
  createSseServer,
  createWsServer,
  type SseServer,
  trackTimers,
  type WsServer,
} from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { fixtureJson, fixtureText } from './fixtures.test-helper.js'
import type { TonStream } from './ton-stream.js'
import { createToncenter } from './toncenter.js'

/**
 * The acknowledgement of a subscription and what it orders, against servers that send exactly what the
 * real TON Streaming v2 server sends — including the ack and the first notification in ONE write, which
 * nothing in the protocol prevents (a busy address does it).
 */

const ACCOUNT = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
const OTHER = '0:83DFD552E63729B472FCBCC8C45EBCC6691702558B68EC7527E1BA403A0F31A8'
const NOTIFICATION = fixtureJson<Record<string, unknown>>('transactions-pending.captured.json')

const until = async (predicate: () => boolean, timeoutMs = 5_000, what = 'condition') => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms),
    ),
  ])

const wsBase = (server: WsServer) => server.url.replace(/^ws/, 'http').replace(/\/$/, '')
const httpBase = (server: SseServer) => server.url.replace(/\/$/, '')

describe('the subscription acknowledgement', () => {
  let ws: WsServer | undefined
  let sse: SseServer | undefined
  const streams: TonStream[] = []
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()))
    await ws?.close()
    await sse?.close()
    ws = undefined
    sse = undefined
  })

  it('WebSocket: ack and first notification in one write — update() from that handler is sent once and settles', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { operation: string; id: string; addresses?: string[] }
        if (message.operation !== 'subscribe') return
        const ack = { id: message.id, status: 'subscribed' }
        if (message.addresses?.length === 1) conn.sendTogether([ack, NOTIFICATION])
        else conn.send(ack)
      })
    })
    const stream = createToncenter({ apiKey: 'ack-key-0001', baseUrl: wsBase(ws) }).stream({
      transport: 'websocket',
      types: ['transactions'],
      addresses: [ACCOUNT],
      minFinality: 'pending',
      pingIntervalMs: 0,
    })
    streams.push(stream)
    const statesAtEvent: string[] = []
    let applied: Promise<void> | undefined
    stream.on('transactions', () => {
      statesAtEvent.push(stream.state)
      applied ??= stream.update({ addresses: [ACCOUNT, OTHER] })
    })
    await until(() => applied !== undefined, 5_000, 'the first notification')
    await within(applied as Promise<void>, 3_000, 'update()')
    expect(statesAtEvent).toEqual(['subscribed'])
    const subscribes = (ws.connections[0]?.messages ?? [])
      .map((m) => JSON.parse(m) as { operation: string; addresses?: string[] })
      .filter((m) => m.operation === 'subscribe')
    expect(subscribes.map((m) => m.addresses)).toEqual([[ACCOUNT], [ACCOUNT, OTHER]])
    expect(stream.subscription.addresses).toEqual([ACCOUNT, OTHER])
  })

  it('SSE: no event reaches a handler before the stream says subscribed, even in the write of the ack', async () => {
    sse = await createSseServer()
    // The captured session (ack, events, keepalive) written at once.
    const session = fixtureText('sse-session.txt')
    sse.handle((conn) => {
      conn.open({ 'content-type': 'text/event-stream' })
      conn.send(session)
    })
    const stream = createToncenter({ apiKey: 'ack-key-0002', baseUrl: httpBase(sse) }).stream({
      transport: 'sse',
      types: ['transactions', 'account_state_change'],
      addresses: [ACCOUNT],
      minFinality: 'pending',
      recovery: 'off',
    })
    streams.push(stream)
    const order: string[] = []
    let subscribedResolved = false
    void stream.waitSubscribed().then(() => {
      subscribedResolved = true
    })
    stream.on('state', (state) => order.push(`state:${state}`))
    stream.on('event', (event) => order.push(`${event.type} while ${stream.state}`))
    await until(() => order.filter((o) => !o.startsWith('state:')).length >= 2, 5_000, 'two events')
    const events = order.filter((o) => !o.startsWith('state:'))
    expect(events.every((o) => o.endsWith('while subscribed'))).toBe(true)
    expect(order.indexOf('state:subscribed')).toBeLessThan(order.indexOf(events[0] as string))
    await until(() => subscribedResolved, 1_000, 'waitSubscribed()')
  })

  it('close() while the acknowledgement is outstanding lets the process exit: no timer left', async () => {
    // Timers are told apart by where they were created: the core's connection code, not vitest's own.
    const timers = trackTimers('core/src/stream/', 'core/src/util/')
    try {
      sse = await createSseServer()
      let opened = false
      sse.handle((conn) => {
        conn.open({ 'content-type': 'text/event-stream' }) // and never sends `event: connected`
        opened = true
      })
      const stream = createToncenter({ apiKey: 'ack-key-0003', baseUrl: httpBase(sse) }).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [ACCOUNT],
        heartbeatTimeoutMs: 0,
        subscribeTimeoutMs: 600_000,
      })
      await until(() => opened, 5_000, 'the request')
      await new Promise((r) => setTimeout(r, 50))
      expect(timers.created()).toBeGreaterThan(0)
      await stream.close()
      // The acknowledgement timer (600 s) must be gone with the connection.
      expect(await timers.live()).toBe(0)
    } finally {
      timers.stop()
    }
  })

  it('a pong whose id answers no ping of ours is no sign of life: the half-open socket is still detected', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { operation: string; id: string }
        if (message.operation === 'subscribe') conn.send({ id: message.id, status: 'subscribed' })
        // Answers every ping, but with an id it never sent: a confused proxy or another client's pong.
        if (message.operation === 'ping') conn.send({ id: 'ping-999999', status: 'pong' })
      })
    })
    const stream = createToncenter({ apiKey: 'ack-key-0004', baseUrl: wsBase(ws) }).stream({
      transport: 'websocket',
      types: ['transactions'],
      addresses: [ACCOUNT],
      pingIntervalMs: 30,
      pongTimeoutMs: 100,
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    })
    streams.push(stream)
    const codes: string[] = []
    stream.on('error', (error) => codes.push(error.code))
    await until(() => codes.includes('PongTimeout'), 3_000, 'a PongTimeout')
  })

  it('Retry-After: 1000000000 is a long wait (the documented cap), never a hot loop', async () => {
    sse = await createSseServer()
    sse.handle((conn) => {
      void conn.respond(429, { error: 'Ratelimit exceeded' }, { 'retry-after': '1000000000' })
    })
    const client = createToncenter({ apiKey: 'ack-key-0005', baseUrl: httpBase(sse) })
    const reconnect = { initialDelayMs: 1, maxDelayMs: 5 }
    const stream = client.stream({
      transport: 'sse',
      types: ['transactions'],
      addresses: [ACCOUNT],
      reconnect,
    })
    streams.push(stream)
    const delays: number[] = []
    stream.on('reconnect', (info) => delays.push(info.delayMs))
    await until(() => delays.length === 1, 3_000, 'the first reconnect')
    await new Promise((r) => setTimeout(r, 300))
    expect(sse.requests).toHaveLength(1)
    // The reconnect policy's default `maxRetryAfterMs`: 10 minutes.
    expect(delays).toEqual([600_000])
    expect(stream.state).toBe('reconnecting')
  })

  it('redacts a configured key however short it is', async () => {
    sse = await createSseServer()
    const key = 'q7Z'
    sse.handle((conn) => {
      void conn.respond(401, { error: `API key ${key} does not exist` })
    })
    const stream = createToncenter({ apiKey: key, baseUrl: httpBase(sse) }).stream({
      transport: 'sse',
      types: ['transactions'],
      addresses: [ACCOUNT],
    })
    streams.push(stream)
    const error = await stream.closed
    expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
    expect(error?.message).not.toContain(key)
    expect(JSON.stringify(error)).not.toContain(key)
  })
})
