import {
  createSseServer,
  createWsServer,
  type SseServer,
  trackTimers,
  type WsServer,
} from '@chainstream/testkit'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { type ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import { backoffCeiling, resolveReconnectPolicy } from '../reconnect/backoff.js'
import { jsonTestProvider, type TestEvent } from './json-test-provider.test-helper.js'
import { createStreamEngine } from './stream-engine.js'
import type { ChainStream, ConnectionState, ReconnectInfo } from './stream-types.js'

const connected = (conn: { open(): void; event(e: { event?: string; data: string }): void }) => {
  conn.open()
  conn.event({ event: 'connected', data: '{"status":"subscribed"}' })
}
const until = async (predicate: () => boolean, timeoutMs = 5_000) => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function record(stream: ChainStream<TestEvent>) {
  const seen = {
    events: [] as TestEvent[],
    states: [] as ConnectionState[],
    errors: [] as ChainstreamError[],
    reconnects: [] as ReconnectInfo[],
  }
  stream.on('event', (e) => seen.events.push(e))
  stream.on('state', (s) => seen.states.push(s))
  stream.on('error', (e) => seen.errors.push(e))
  stream.on('reconnect', (r) => seen.reconnects.push(r))
  return seen
}

const fast = { initialDelayMs: 10, maxDelayMs: 50 }

describe('stream engine over SSE', () => {
  let server: SseServer
  const streams: ChainStream<TestEvent>[] = []
  const open = (...args: Parameters<typeof createStreamEngine<TestEvent>>) => {
    const s = createStreamEngine<TestEvent>(...args)
    streams.push(s)
    return s
  }
  beforeEach(async () => {
    server = await createSseServer()
  })
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()))
    await server.close()
  })

  it('calls open, subscribe, then recover on every connection, and goes idle → connecting → subscribed', async () => {
    server.handle((conn) => connected(conn))
    const provider = jsonTestProvider({ url: `${server.url}/stream` })
    const stream = open({ provider, autoStart: false })
    const seen = record(stream)
    expect(stream.state).toBe('idle')
    stream.start()
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await until(() => provider.calls.length === 3)
    expect(provider.calls).toEqual(['open', 'subscribe', 'recover'])
    expect(seen.states).toEqual(['connecting', 'subscribed'])
    expect(server.requests[0]?.method).toBe('POST')
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ topics: ['all'] })
  })

  it('close() resolves only once the background work providers handed it has stopped, failed or not', async () => {
    server.handle((conn) => connected(conn))
    const provider = jsonTestProvider({ url: server.url })
    const stopped: string[] = []
    // Work that takes a while to unwind after the connection ends, like a request already on the wire.
    const unwinding = (signal: AbortSignal, name: string, fails: boolean) =>
      new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () =>
          setTimeout(() => {
            stopped.push(name)
            if (fails) reject(new Error(`${name} aborted`))
            else resolve()
          }, 150),
        )
      })
    provider.recover = async (session) => {
      session.track(unwinding(session.signal, 'periodic', false))
      session.track(unwinding(session.signal, 'lookup', true))
    }
    const stream = open({ provider })
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await until(() => stream.session !== undefined)
    await stream.close()
    expect(stopped.sort()).toEqual(['lookup', 'periodic'])
  })

  it('reconnects after the server drops the socket mid-event and delivers what follows', async () => {
    server.handleNext((conn) => {
      connected(conn)
      conn.event({ data: '{"n":1}' })
      conn.send('data: {"n":')
      setTimeout(() => conn.drop(), 20)
    })
    server.handle((conn) => {
      connected(conn)
      conn.event({ data: '{"n":2}' })
    })
    const provider = jsonTestProvider({
      url: server.url,
      recoverEvents: (ctx) => (ctx.reconnect ? [{ n: 100 }] : []),
    })
    const stream = open({ provider, reconnect: fast })
    const seen = record(stream)
    await until(() => seen.events.length === 3)
    // Recovery and the live stream of the new connection run side by side: compare without order.
    expect(seen.events[0]).toEqual({ n: 1 })
    expect(seen.events.slice(1)).toEqual(expect.arrayContaining([{ n: 100, backfill: true }, { n: 2 }]))
    expect(seen.states).toEqual(['connecting', 'subscribed', 'reconnecting', 'subscribed'])
    expect(provider.calls).toEqual(['open', 'subscribe', 'recover', 'open', 'subscribe', 'recover'])
    expect(provider.recoverContexts[1]?.reconnect).toBe(true)
    expect(provider.recoverContexts[1]?.lastEventAt).toBeTypeOf('number')
    expect(stream.counters).toMatchObject({ events: 3, backfilled: 1, reconnects: 1, connects: 2 })
    expect(seen.errors[0]?.code).toBe('ConnectionClosed')
  })

  it('reconnects after a 5xx and reports the typed HTTP error', async () => {
    server.handleNext((conn) => conn.respond(503, { error: 'maintenance' }))
    server.handle((conn) => connected(conn))
    const stream = open({ provider: jsonTestProvider({ url: server.url }), reconnect: fast })
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    expect(seen.errors).toHaveLength(1)
    expect(seen.errors[0]).toMatchObject({ code: 'HttpError', status: 503, body: { error: 'maintenance' } })
    expect(server.requests.length).toBe(2)
  })

  it('waits at least the Retry-After of a 429 before reconnecting', async () => {
    server.handleNext((conn) => conn.respond(429, { error: 'Ratelimit exceeded' }, { 'Retry-After': '1' }))
    server.handle((conn) => connected(conn))
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      reconnect: fast,
      random: () => 0.5,
    })
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    expect(seen.reconnects[0]).toMatchObject({ attempt: 1, delayMs: 1_000 })
    expect(seen.reconnects[0]?.error).toMatchObject({ code: 'RateLimited', retryAfterMs: 1_000 })
    const [first, second] = server.requests
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990)
  })

  it('does not reconnect after a fatal error and surfaces it typed', async () => {
    server.handle((conn) => conn.respond(401, { error: 'API key does not exist' }))
    const stream = open({ provider: jsonTestProvider({ url: server.url }), reconnect: fast })
    const wait = stream.waitSubscribed({ timeoutMs: 2_000 })
    await expect(wait).rejects.toMatchObject({ code: 'Unauthorized', status: 401 })
    const error = await stream.closed
    expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
    expect(stream.state).toBe('closed')
    await new Promise((r) => setTimeout(r, 150))
    expect(server.requests.length).toBe(1)
  })

  it('treats heartbeat silence as a dead connection and reconnects', async () => {
    server.handleNext((conn) => connected(conn)) // then silence
    server.handle((conn) => {
      connected(conn)
      conn.event({ data: '{"n":7}' })
    })
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      reconnect: fast,
      heartbeatTimeoutMs: 200,
    })
    const seen = record(stream)
    await until(() => seen.events.length === 1)
    expect(seen.errors.map((e) => e.code)).toEqual(['HeartbeatTimeout'])
    expect(server.requests.length).toBe(2)
  })

  it('keeps a connection alive while comments (keepalives) arrive within the heartbeat timeout', async () => {
    server.handle(async (conn) => {
      connected(conn)
      for (let i = 0; i < 6 && !conn.isClosed; i++) {
        await conn.pause(60)
        conn.comment('keepalive')
      }
    })
    const stream = open({ provider: jsonTestProvider({ url: server.url }), heartbeatTimeoutMs: 150 })
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await new Promise((r) => setTimeout(r, 400))
    expect(seen.errors).toEqual([])
    expect(server.requests.length).toBe(1)
  })

  it('closes the socket on abort (the server sees it) and leaves no timers behind', async () => {
    let serverConn: { closed: Promise<void> } | undefined
    server.handle((conn) => {
      serverConn = conn
      connected(conn)
    })
    const timers = trackTimers('stream-engine.ts', 'sse-transport.ts', 'sse-response.ts', 'abort.ts')
    onTestFinished(timers.stop)
    const controller = new AbortController()
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      signal: controller.signal,
      heartbeatTimeoutMs: 5_000,
    })
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    expect(await timers.live()).toBeGreaterThan(0) // the heartbeat watchdog is armed
    controller.abort()
    await stream.closed
    await serverConn!.closed
    await until(() => server.activeConnections === 0)
    expect(stream.state).toBe('closed')
    expect(await timers.live()).toBe(0)
  })

  it('causes one reconnect when two failures arrive at once', async () => {
    server.handleNext((conn) => {
      connected(conn)
      // An error frame and a dropped socket in the same tick.
      conn.event({ data: '{"error":"internal hiccup","retryable":true}' })
      conn.drop()
    })
    server.handle((conn) => connected(conn))
    const stream = open({ provider: jsonTestProvider({ url: server.url }), reconnect: fast })
    const seen = record(stream)
    await until(() => server.requests.length === 2)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await new Promise((r) => setTimeout(r, 200))
    expect(server.requests.length).toBe(2)
    expect(seen.reconnects).toHaveLength(1)
    expect(stream.counters.reconnects).toBe(1)
  })

  it('coalesces several restart() calls into one new connection, without backoff or failure count', async () => {
    server.handle((conn) => connected(conn))
    const stream = open({ provider: jsonTestProvider({ url: server.url }) })
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    stream.restart('subscription changed')
    stream.restart('subscription changed again')
    await until(() => server.requests.length === 2)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await new Promise((r) => setTimeout(r, 100))
    expect(server.requests.length).toBe(2)
  })

  it('enforces the maximum event size instead of growing memory', async () => {
    server.handleNext((conn) => {
      connected(conn)
      conn.event({ data: JSON.stringify({ n: 1, pad: 'x'.repeat(4_096) }) })
    })
    server.handle((conn) => connected(conn))
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      reconnect: fast,
      maxEventSize: 1_024,
    })
    const seen = record(stream)
    await until(() => server.requests.length === 2)
    expect(seen.events).toEqual([])
    expect(seen.errors[0]?.code).toBe('EventTooLarge')
  })

  it('never puts the API key into an error message', async () => {
    const key = 'tc-secret-key-0123456789'
    server.handle((conn) => conn.respond(401, { error: `API key ${key} does not exist` }))
    const stream = open({
      provider: jsonTestProvider({ url: `${server.url}/sse?api_key=${key}`, headers: { 'X-API-Key': key } }),
    })
    const error = await stream.closed
    expect(error?.code).toBe('Unauthorized')
    const everything = JSON.stringify({ message: error?.message, json: error, stack: error?.stack })
    expect(everything).not.toContain(key)
    expect(server.requests[0]?.headers['x-api-key']).toBe(key) // it was sent, only never shown
  })

  it('reports a throwing listener as an error event and keeps delivering', async () => {
    server.handle(async (conn) => {
      connected(conn)
      for (let n = 1; n <= 3; n++) conn.event({ data: JSON.stringify({ n }) })
    })
    const stream = open({ provider: jsonTestProvider({ url: server.url }) })
    const errors: ChainstreamError[] = []
    const got: number[] = []
    stream.on('error', (e) => errors.push(e))
    stream.on('event', (e) => {
      if (e.n === 2) throw new Error('bug in user code')
    })
    stream.on('event', (e) => {
      got.push(e.n)
    })
    await until(() => got.length === 3)
    expect(got).toEqual([1, 2, 3])
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toContain('bug in user code')
    expect(stream.state).toBe('subscribed')
  })

  it('delivers the same events through for-await as through callbacks, and ends the loop on close', async () => {
    server.handle((conn) => {
      connected(conn)
      for (let n = 1; n <= 5; n++) conn.event({ data: JSON.stringify({ n }) })
    })
    const stream = open({ provider: jsonTestProvider({ url: server.url }) })
    const got: number[] = []
    for await (const event of stream) {
      got.push(event.n)
      if (got.length === 5) void stream.close()
    }
    expect(got).toEqual([1, 2, 3, 4, 5])
  })

  it("fails a slow for-await consumer with BufferOverflow by default, and counts drops with 'dropOldest'", async () => {
    server.handle((conn) => {
      connected(conn)
      for (let n = 1; n <= 50; n++) conn.event({ data: JSON.stringify({ n }) })
    })
    const strict = open({ provider: jsonTestProvider({ url: server.url }), buffer: { size: 10 } })
    const strictIterator = strict[Symbol.asyncIterator]()
    const error = await strict.closed
    expect(error?.code).toBe('BufferOverflow')
    const drained: number[] = []
    await expect(
      (async () => {
        for (;;) {
          const r = await strictIterator.next()
          if (r.done) break
          drained.push(r.value.n)
        }
      })(),
    ).rejects.toMatchObject({ code: 'BufferOverflow' })
    expect(drained).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    const lossy = open({
      provider: jsonTestProvider({ url: server.url }),
      buffer: { size: 10, overflow: 'dropOldest' },
    })
    const lossyIterator = lossy[Symbol.asyncIterator]()
    await until(() => lossy.counters.events === 50)
    expect(lossy.counters.dropped).toBe(40)
    expect((await lossyIterator.next()).value).toEqual({ n: 41 })
  })

  it('resets the attempt counter after a healthy connection, so a quiet flapping feed never exhausts it', async () => {
    let connections = 0
    server.handle(async (conn) => {
      connections++
      connected(conn)
      await conn.pause(60) // quiet but healthy for longer than healthyAfterMs
      conn.drop()
    })
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      reconnect: { ...fast, maxAttempts: 2, healthyAfterMs: 30 },
    })
    await until(() => connections >= 6, 5_000)
    expect(stream.state).not.toBe('closed')
  })

  it('gives up with ConnectionLost carrying the attempts when failures are consecutive', async () => {
    server.handle((conn) => conn.respond(502, 'bad gateway'))
    const stream = open({
      provider: jsonTestProvider({ url: server.url }),
      reconnect: { ...fast, maxAttempts: 3 },
    })
    const seen = record(stream)
    const error = await stream.closed
    expect(error).toMatchObject({ code: 'ConnectionLost', attempts: 3 })
    expect(server.requests.length).toBe(4)
    const policy = resolveReconnectPolicy({ ...fast, maxAttempts: 3 })
    for (const r of seen.reconnects) expect(r.delayMs).toBeLessThanOrEqual(backoffCeiling(policy, r.attempt))
  })

  it('ends without reconnecting when the provider says a cleanly closed stream is complete', async () => {
    server.handle((conn) => {
      connected(conn)
      conn.event({ data: '{"n":1}' })
      conn.end()
    })
    const stream = open({
      provider: jsonTestProvider({ url: server.url, isComplete: () => true }),
      reconnect: fast,
    })
    const error = await stream.closed
    expect(error).toBeUndefined()
    expect(stream.counters.events).toBe(1)
    expect(server.requests.length).toBe(1)
  })

  it('rejects waitSubscribed with SubscribeTimeout while the server never acknowledges', async () => {
    server.handle((conn) => conn.open())
    const stream = open({ provider: jsonTestProvider({ url: server.url }), subscribeTimeoutMs: 5_000 })
    await expect(stream.waitSubscribed({ timeoutMs: 100 })).rejects.toMatchObject({
      code: 'SubscribeTimeout',
    })
  })

  it('rejects bad options with InvalidArgument before connecting', () => {
    const provider = jsonTestProvider({ url: server.url })
    expect(() => createStreamEngine({ provider, reconnect: { factor: 0 } })).toThrow(
      /reconnect policy: factor/,
    )
    expect(() => createStreamEngine({ provider, heartbeatTimeoutMs: -1 })).toThrow(/heartbeatTimeoutMs/)
    expect(() => createStreamEngine({ provider, buffer: { overflow: 'block' as never } })).toThrow(
      /buffer.overflow/,
    )
    expect(server.requests.length).toBe(0)
  })
})

describe('stream engine over WebSocket', () => {
  let server: WsServer
  const streams: ChainStream<TestEvent>[] = []
  beforeEach(async () => {
    server = await createWsServer()
  })
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()))
    await server.close()
  })
  const answerSubscribe = (conn: { onMessage(l: (m: string) => void): void; send(m: unknown): void }) =>
    conn.onMessage((message) => {
      const request = JSON.parse(message) as { op: string; id: string }
      if (request.op === 'subscribe') conn.send({ id: request.id, status: 'subscribed' })
      if (request.op === 'ping') conn.send({ id: request.id, status: 'pong' })
    })

  it('subscribes with a request matched by id and delivers messages', async () => {
    server.handle((conn) => {
      answerSubscribe(conn)
      conn.onMessage((m) => {
        if (m.includes('subscribe')) conn.send({ n: 1 })
      })
    })
    const stream = createStreamEngine({
      provider: jsonTestProvider({ url: server.url, transport: 'websocket' }),
    })
    streams.push(stream)
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await until(() => seen.events.length === 1)
    expect(seen.events).toEqual([{ n: 1 }])
  })

  it('detects a half-open socket by the pong timeout and reconnects', async () => {
    server.handleNext((conn) => {
      answerSubscribe(conn)
      conn.onMessage((m) => {
        if (m.includes('subscribe')) setTimeout(() => conn.goSilent(), 10)
      })
    })
    server.handle((conn) => answerSubscribe(conn))
    const stream = createStreamEngine({
      provider: jsonTestProvider({
        url: server.url,
        transport: 'websocket',
        keepalive: { intervalMs: 50, timeoutMs: 100 },
      }),
      reconnect: fast,
    })
    streams.push(stream)
    const seen = record(stream)
    await until(() => server.upgrades.length === 2)
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    expect(seen.errors.map((e) => e.code)).toEqual(['PongTimeout'])
  })

  it('surfaces a retryable server close code and reconnects', async () => {
    server.handleNext((conn) => {
      answerSubscribe(conn)
      conn.onMessage((m) => {
        if (m.includes('subscribe')) setTimeout(() => conn.close(4001, 'going away'), 10)
      })
    })
    server.handle((conn) => answerSubscribe(conn))
    const stream = createStreamEngine({
      provider: jsonTestProvider({ url: server.url, transport: 'websocket' }),
      reconnect: fast,
    })
    streams.push(stream)
    const seen = record(stream)
    await until(() => server.upgrades.length === 2)
    expect(seen.errors[0]?.message).toContain('4001')
  })
})
