import { createServer, type Server, type Socket } from 'node:net'
import { createWsServer, type WsServer, type WsServerConnection } from '@chainstream/testkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { isChainstreamError } from '../errors/chainstream-error.js'
import { connectWebSocket, openWebSocket } from './websocket-transport.js'
import type { WebSocketConnectOptions, WebSocketKeepalive, WebSocketLike } from './websocket-types.js'

let server: WsServer

beforeEach(async () => {
  server = await createWsServer()
})

afterEach(async () => {
  await server.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Options with a message log; `extra` overrides. */
const setup = (extra: Partial<WebSocketConnectOptions> = {}) => {
  const received: string[] = []
  const options: WebSocketConnectOptions = {
    url: server.url,
    onMessage: (data) => received.push(data),
    ...extra,
  }
  return { options, received }
}

const answerPings = (connection: WsServerConnection) =>
  connection.onMessage((message) => {
    if (message === 'ping') connection.send('pong')
  })

const keepalive = (intervalMs: number, timeoutMs: number): WebSocketKeepalive => ({
  intervalMs,
  timeoutMs,
  ping: () => 'ping',
  isPong: (data) => data === 'pong',
})

/**
 * Tracks every timer created from now on (ours, `ws`'s, the test server's) until it fires or is cleared.
 * `process.getActiveResourcesInfo()` is no help here: it does not count an interval between its ticks.
 */
const trackTimers = () => {
  const live = new Set<unknown>()
  const real = { setTimeout, clearTimeout, setInterval, clearInterval }
  const timeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = real.setTimeout(
      (...a: unknown[]) => {
        live.delete(handle)
        callback(...a)
      },
      ms,
      ...args,
    )
    live.add(handle)
    return handle
  }
  const interval = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = real.setInterval(callback, ms, ...args)
    live.add(handle)
    return handle
  }
  const clear = (handle: unknown) => {
    live.delete(handle)
    real.clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(timeout as unknown as typeof setTimeout)
  vi.spyOn(globalThis, 'setInterval').mockImplementation(interval as unknown as typeof setInterval)
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation(clear)
  vi.spyOn(globalThis, 'clearInterval').mockImplementation(clear)
  return { live, stop: () => vi.restoreAllMocks() }
}

/** A loopback port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/**
 * Exposes nothing but the WHATWG surface of a `ws` socket (no `.on`, no `terminate`), like the global
 * WebSocket of browsers and Node ≥ 22, so the property-handler path is what runs.
 */
class PropertyOnlyWebSocket implements WebSocketLike {
  readonly #ws: WebSocket
  constructor(url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) {
    this.#ws = new WebSocket(url, protocols, options)
  }
  get readyState() {
    return this.#ws.readyState
  }
  set binaryType(value: 'arraybuffer' | 'nodebuffer') {
    this.#ws.binaryType = value
  }
  get onopen() {
    return this.#ws.onopen
  }
  set onopen(handler) {
    this.#ws.onopen = handler
  }
  get onmessage() {
    return this.#ws.onmessage
  }
  set onmessage(handler) {
    this.#ws.onmessage = handler
  }
  get onerror() {
    return this.#ws.onerror
  }
  set onerror(handler) {
    this.#ws.onerror = handler
  }
  get onclose() {
    return this.#ws.onclose
  }
  set onclose(handler) {
    this.#ws.onclose = handler
  }
  send(data: string) {
    this.#ws.send(data)
  }
  close(code?: number, reason?: string) {
    this.#ws.close(code, reason)
  }
}

describe('openWebSocket', () => {
  it('sends the headers and the query with the upgrade', async () => {
    const { options } = setup({
      url: `${server.url}/v1/stream?chain=ton&api_key=k-123456`,
      headers: { 'x-api-key': 'header-key', 'user-agent': 'chainstream-test' },
    })
    const connection = await connectWebSocket(options)
    const accepted = await server.nextConnection()
    expect(accepted.request.url).toBe('/v1/stream?chain=ton&api_key=k-123456')
    expect(accepted.request.headers).toMatchObject({
      'x-api-key': 'header-key',
      'user-agent': 'chainstream-test',
    })
    connection.close()
  })

  it('carries messages both ways, in order', async () => {
    server.handle((c) => c.onMessage((m) => c.send(`echo:${m}`)))
    const { options, received } = setup()
    const connection = await connectWebSocket(options)
    const accepted = await server.nextConnection()
    for (let i = 0; i < 50; i++) connection.send(`m${i}`)
    await vi.waitFor(() => expect(received).toHaveLength(50))
    expect(accepted.messages).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`))
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `echo:m${i}`))
    connection.close()
  })

  it('queues messages sent before open and flushes them in order, ahead of later ones', async () => {
    const { options } = setup()
    const connection = openWebSocket(options)
    connection.send('first')
    connection.send('second')
    connection.send('third')
    await connection.opened
    connection.send('fourth')
    const accepted = await server.nextConnection()
    await accepted.nextMessage((m) => m === 'fourth')
    expect(accepted.messages).toEqual(['first', 'second', 'third', 'fourth'])
    connection.close()
  })

  it('decodes binary messages as UTF-8 and reports the byte size of every message', async () => {
    server.handle((c) => {
      c.send(new TextEncoder().encode('héllo'))
      c.send('wörld')
    })
    const bytes: number[] = []
    const { options, received } = setup({ onBytes: (count) => bytes.push(count) })
    const connection = await connectWebSocket(options)
    await vi.waitFor(() => expect(received).toHaveLength(2))
    expect(received).toEqual(['héllo', 'wörld'])
    expect(bytes).toEqual([6, 6])
    connection.close()
  })

  it('fails with OpenTimeout when the server accepts TCP but never answers the upgrade, and drops the socket', async () => {
    const sockets: Socket[] = []
    let socketClosed: () => void = () => {}
    const socketGone = new Promise<void>((resolve) => {
      socketClosed = resolve
    })
    const raw: Server = createServer((socket) => {
      sockets.push(socket)
      // Read (and ignore) the upgrade request, so the client's FIN is noticed.
      socket.resume()
      socket.on('error', () => {})
      socket.on('close', () => socketClosed())
    })
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = raw.address() as { port: number }
      const started = Date.now()
      const connection = openWebSocket({
        url: `ws://127.0.0.1:${port}/`,
        openTimeoutMs: 150,
        onMessage: () => {},
      })
      await expect(connection.opened).rejects.toMatchObject({ code: 'OpenTimeout', isRetryable: true })
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(140)
      expect(elapsed).toBeLessThan(1_000)
      expect(await connection.closed).toMatchObject({ kind: 'error', error: { code: 'OpenTimeout' } })
      await socketGone
      expect(sockets).toHaveLength(1)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => raw.close(() => resolve()))
    }
  })

  it('types a 401 refusal as Unauthorized (not retryable) with the body', async () => {
    server.rejectNext({ status: 401, body: { error: 'invalid api key' } })
    const connection = openWebSocket(setup().options)
    const error = await connection.opened.catch((e: unknown) => e)
    expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
    expect(error).toMatchObject({ status: 401, isRetryable: false, body: { error: 'invalid api key' } })
    expect((error as Error).message).toContain('invalid api key')
    expect(await connection.closed).toEqual({ kind: 'error', error })
  })

  it('types a 429 refusal as RateLimited with retryAfterMs from Retry-After', async () => {
    server.rejectNext({ status: 429, body: 'too many connections', headers: { 'Retry-After': '3' } })
    const error = await connectWebSocket(setup().options).catch((e: unknown) => e)
    expect(isChainstreamError(error, 'RateLimited')).toBe(true)
    expect(error).toMatchObject({
      status: 429,
      retryAfterMs: 3_000,
      isRetryable: true,
      body: 'too many connections',
    })
  })

  it('reports a refused TCP connection as a retryable ConnectionClosed', async () => {
    const port = await closedPort()
    const connection = openWebSocket({ url: `ws://127.0.0.1:${port}/`, onMessage: () => {} })
    await expect(connection.opened).rejects.toMatchObject({ code: 'ConnectionClosed', isRetryable: true })
    const reason = await connection.closed
    expect(reason).toMatchObject({ kind: 'error', error: { code: 'ConnectionClosed' } })
    expect(reason.kind === 'error' && reason.error.message).toMatch(/ECONNREFUSED/)
  })

  it('never lets an unawaited opened rejection become unhandled when only closed is awaited', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const port = await closedPort()
      const connection = openWebSocket({ url: `ws://127.0.0.1:${port}/`, onMessage: () => {} })
      expect((await connection.closed).kind).toBe('error')
      await sleep(20)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  describe('keepalive', () => {
    it('stays open across several intervals while the server answers pings', async () => {
      server.handle(answerPings)
      const { options, received } = setup({ keepalive: keepalive(50, 100) })
      const connection = await connectWebSocket(options)
      let settled = false
      void connection.closed.then(() => {
        settled = true
      })
      await sleep(400)
      const accepted = server.connections[0]
      expect(settled).toBe(false)
      expect(accepted?.messages.filter((m) => m === 'ping').length).toBeGreaterThanOrEqual(4)
      // Pongs are messages too: the caller sees them, in order.
      expect(received.length).toBeGreaterThanOrEqual(4)
      connection.close()
      expect(await connection.closed).toEqual({ kind: 'closed' })
    })

    it('detects a half-open server with PongTimeout within interval + timeout', async () => {
      const intervalMs = 50
      const timeoutMs = 100
      let silentAt = 0
      server.handle((c) => {
        let pings = 0
        c.onMessage((m) => {
          if (m !== 'ping') return
          c.send('pong')
          if (++pings === 2) {
            c.goSilent()
            silentAt = Date.now()
          }
        })
      })
      const connection = await connectWebSocket(
        setup({ keepalive: keepalive(intervalMs, timeoutMs) }).options,
      )
      const reason = await connection.closed
      const detectedAfter = Date.now() - silentAt
      expect(silentAt).toBeGreaterThan(0)
      expect(reason).toMatchObject({ kind: 'error', error: { code: 'PongTimeout', isRetryable: true } })
      expect(detectedAfter).toBeGreaterThanOrEqual(timeoutMs - 10)
      expect(detectedAfter).toBeLessThanOrEqual(intervalMs + timeoutMs + 150)
      expect(() => connection.send('late')).toThrow(expect.objectContaining({ code: 'Closed' }))
    })

    it('keeps an unanswered ping waiting while other messages arrive, and fails once they stop', async () => {
      // The answer to a ping travels behind what the server sent before it: a reader busy with a backlog
      // reads it late, and messages arriving meanwhile show the socket is alive.
      const timeoutMs = 100
      let streamingUntil = 0
      server.handle((c) => {
        const started = Date.now()
        const timer = setInterval(() => {
          if (Date.now() - started > 500) {
            clearInterval(timer)
            streamingUntil = Date.now()
            return
          }
          c.send('data')
        }, 20)
      })
      const { options, received } = setup({ keepalive: keepalive(50, timeoutMs) })
      const connection = await connectWebSocket(options)
      const reason = await connection.closed
      expect(streamingUntil).toBeGreaterThan(0)
      expect(received.filter((m) => m === 'data').length).toBeGreaterThan(10)
      expect(reason).toMatchObject({ kind: 'error', error: { code: 'PongTimeout' } })
      expect(server.connections[0]?.messages).toContain('ping')
      // Failed only after the messages stopped: within two timeouts of the last one.
      expect(Date.now() - streamingUntil).toBeLessThanOrEqual(2 * timeoutMs + 150)
      expect(Date.now() - streamingUntil).toBeGreaterThanOrEqual(0)
    })
  })

  it('surfaces a server close code and reason as closed-by-server with a retryable error', async () => {
    server.handle((c) =>
      c.onMessage((m) => {
        if (m === 'close me') c.close(4001, 'subscription expired')
      }),
    )
    const connection = await connectWebSocket(setup().options)
    connection.send('close me')
    const reason = await connection.closed
    expect(reason).toMatchObject({ kind: 'closed-by-server', code: 4001, reason: 'subscription expired' })
    if (reason.kind !== 'closed-by-server') throw new Error('unreachable')
    expect(reason.error).toMatchObject({ code: 'ConnectionClosed', isRetryable: true })
    expect(reason.error.message).toContain('WebSocket closed by the server with code 4001')
  })

  it('reports an abrupt server drop as closed-by-server with code 1006', async () => {
    server.handle((c) => c.onMessage(() => c.terminate()))
    const connection = await connectWebSocket(setup().options)
    connection.send('drop me')
    expect(await connection.closed).toMatchObject({ kind: 'closed-by-server', code: 1006 })
  })

  it('closes on abort after open (the server sees the close) and leaves no timers behind', async () => {
    const timers = trackTimers()
    try {
      const controller = new AbortController()
      // The server never answers pings, so both the interval and the pong timeout are armed at abort time.
      const { options } = setup({ signal: controller.signal, keepalive: keepalive(30, 5_000) })
      const connection = await connectWebSocket(options)
      const accepted = await server.nextConnection()
      await accepted.nextMessage((m) => m === 'ping')
      expect(timers.live.size).toBeGreaterThanOrEqual(2)
      controller.abort()
      expect(await connection.closed).toEqual({ kind: 'closed' })
      expect(await accepted.closed).toEqual({ code: 1000, reason: '' })
      // `ws` clears its closing-handshake timer once the TCP connection is gone; that takes a moment.
      const deadline = Date.now() + 1_000
      while (timers.live.size > 0 && Date.now() < deadline) await sleep(10)
      expect(timers.live.size).toBe(0)
      const pings = accepted.messages.length
      await sleep(100)
      expect(accepted.messages).toHaveLength(pings)
    } finally {
      timers.stop()
    }
  })

  it('rejects opened with Aborted when aborted while connecting, and closes the socket', async () => {
    server.stallNext()
    const controller = new AbortController()
    const connection = openWebSocket(setup({ signal: controller.signal }).options)
    await vi.waitFor(() => expect(server.upgrades).toHaveLength(1))
    controller.abort()
    await expect(connection.opened).rejects.toMatchObject({ code: 'Aborted', isRetryable: false })
    expect(await connection.closed).toEqual({ kind: 'closed' })
  })

  it('does not connect at all when the signal is already aborted', async () => {
    const connection = openWebSocket(setup({ signal: AbortSignal.abort() }).options)
    await expect(connection.opened).rejects.toMatchObject({ code: 'Aborted' })
    expect(await connection.closed).toEqual({ kind: 'closed' })
    await sleep(30)
    expect(server.upgrades).toHaveLength(0)
  })

  it('close() is idempotent, sends the code, and send() afterwards throws Closed', async () => {
    const controller = new AbortController()
    const removed = vi.spyOn(controller.signal, 'removeEventListener')
    const connection = await connectWebSocket(setup({ signal: controller.signal }).options)
    const accepted = await server.nextConnection()
    connection.close(4000, 'done here')
    // A long-lived signal must not collect a listener per connection.
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function))
    connection.close()
    expect(await connection.closed).toEqual({ kind: 'closed' })
    expect(await accepted.closed).toEqual({ code: 4000, reason: 'done here' })
    expect(() => connection.send('x')).toThrow(expect.objectContaining({ code: 'Closed' }))
    expect(() => connection.close(1006)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
  })

  it('close() before open rejects opened with Closed', async () => {
    server.stallNext()
    const connection = openWebSocket(setup().options)
    connection.close()
    await expect(connection.opened).rejects.toMatchObject({ code: 'Closed' })
    expect(await connection.closed).toEqual({ kind: 'closed' })
  })

  it('enforces maxMessageSize (ws maxPayload) with EventTooLarge, after delivering smaller messages', async () => {
    server.handle((c) => {
      c.send('small')
      c.send('x'.repeat(2_000))
    })
    const { options, received } = setup({ maxMessageSize: 1_000 })
    const connection = await connectWebSocket(options)
    const reason = await connection.closed
    expect(reason).toMatchObject({ kind: 'error', error: { code: 'EventTooLarge', isRetryable: true } })
    expect(received).toEqual(['small'])
  })

  it('rejects invalid options before opening anything', () => {
    expect(() => openWebSocket(setup({ keepalive: keepalive(0, 100) }).options)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    expect(() => openWebSocket(setup({ maxMessageSize: -1 }).options)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })

  describe('with a WHATWG-style constructor (handler properties only)', () => {
    it('opens, sends headers, carries text and binary messages, and closes', async () => {
      server.handle((c) =>
        c.onMessage((m) => {
          c.send(`echo:${m}`)
          c.send(new TextEncoder().encode(`bin:${m}`))
        }),
      )
      const bytes: number[] = []
      const { options, received } = setup({
        WebSocket: PropertyOnlyWebSocket,
        headers: { 'x-api-key': 'k' },
        onBytes: (count) => bytes.push(count),
      })
      const connection = openWebSocket(options)
      connection.send('queued')
      await connection.opened
      await vi.waitFor(() => expect(received).toEqual(['echo:queued', 'bin:queued']))
      expect(bytes).toEqual([11, 10])
      expect(server.upgrades[0]?.headers['x-api-key']).toBe('k')
      connection.close()
      expect(await connection.closed).toEqual({ kind: 'closed' })
      expect(await server.connections[0]?.closed).toMatchObject({ code: 1000 })
    })

    it('also accepts the ws class itself', async () => {
      const connection = await connectWebSocket(setup({ WebSocket }).options)
      connection.close()
      expect(await connection.closed).toEqual({ kind: 'closed' })
    })

    it('enforces maxMessageSize itself', async () => {
      server.handle((c) => c.send('y'.repeat(200)))
      const connection = await connectWebSocket(
        setup({ WebSocket: PropertyOnlyWebSocket, maxMessageSize: 100 }).options,
      )
      expect(await connection.closed).toMatchObject({ kind: 'error', error: { code: 'EventTooLarge' } })
    })

    it('detects a half-open server with PongTimeout', async () => {
      server.handle((c) => c.goSilent())
      const connection = await connectWebSocket(
        setup({ WebSocket: PropertyOnlyWebSocket, keepalive: keepalive(30, 60) }).options,
      )
      expect(await connection.closed).toMatchObject({ kind: 'error', error: { code: 'PongTimeout' } })
    })

    it('cannot see the status of a refused upgrade, so reports a retryable ConnectionClosed', async () => {
      server.rejectNext({ status: 401 })
      const error = await connectWebSocket(setup({ WebSocket: PropertyOnlyWebSocket }).options).catch(
        (e) => e,
      )
      expect(error).toMatchObject({ code: 'ConnectionClosed', isRetryable: true })
    })
  })

  it('never shows an api_key from the URL in an error message', async () => {
    const secret = 'SECRET123456'
    const messages: string[] = []
    const collect = (error: unknown) => {
      messages.push((error as Error).message, JSON.stringify(error))
    }

    server.rejectNext({ status: 401, body: 'bad key' })
    await connectWebSocket(setup({ url: `${server.url}/?api_key=${secret}` }).options).catch(collect)
    expect(server.upgrades[0]?.url).toContain(secret)

    const port = await closedPort()
    await connectWebSocket({ url: `ws://127.0.0.1:${port}/?api_key=${secret}`, onMessage: () => {} }).catch(
      collect,
    )

    server.stallNext()
    await connectWebSocket(
      setup({ url: `${server.url}/?api_key=${secret}`, openTimeoutMs: 50 }).options,
    ).catch(collect)

    server.handleNext((c) => c.close(4003, 'bye'))
    const closing = await connectWebSocket(setup({ url: `${server.url}/?token=${secret}` }).options)
    const reason = await closing.closed
    if (reason.kind !== 'closed') collect(reason.error)

    expect(messages).toHaveLength(8)
    for (const message of messages) expect(message).not.toContain(secret)
    expect(messages[0]).toContain('api_key=[redacted]')
  })
})
