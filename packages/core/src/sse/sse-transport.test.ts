import { createSseServer, type SseServer, type SseServerConnection, trackTimers } from '@chainstream/testkit'
import { fetch as undiciFetch } from 'undici'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { type ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import { connectSse } from './sse-transport.js'
import type { FetchLike, SseConnectOptions } from './sse-transport-types.js'
import type { SseMessage } from './sse-types.js'

const SECRET = 'SECRET123456'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Connect options that record every callback. */
function recorder(url: string, extra: Partial<SseConnectOptions> = {}) {
  const events: SseMessage[] = []
  const comments: string[] = []
  const retries: number[] = []
  let bytes = 0
  const options: SseConnectOptions = {
    url,
    onEvent: (m) => events.push(m),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
    onBytes: (n) => {
      bytes += n
    },
    ...extra,
  }
  return { options, events, comments, retries, bytes: () => bytes }
}

/** Resolves with the next connection the server hands to a handler. */
function nextConnection(server: SseServer): Promise<SseServerConnection> {
  return new Promise((resolve) => server.handleNext(resolve))
}

async function rejection(promise: Promise<unknown>): Promise<ChainstreamError> {
  try {
    await promise
  } catch (error) {
    if (isChainstreamError(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('connectSse', () => {
  let server: SseServer

  beforeEach(async () => {
    server = await createSseServer()
  })

  afterEach(async () => {
    await server.close()
  })

  it('GET: sends Accept and custom headers, delivers events, reports a clean end', async () => {
    server.handle(async (conn) => {
      conn.open()
      conn.event({ event: 'block', id: '1', data: { height: 1 } })
      conn.event({ data: 'two\nlines' })
      await conn.end()
    })
    const r = recorder(`${server.url}/stream?chain=ton`, {
      headers: { 'X-Custom': 'yes', 'Last-Event-ID': '0' },
    })
    const connection = await connectSse(r.options)
    expect(connection.status).toBe(200)
    expect(connection.header('Content-Type')).toBe('text/event-stream')
    expect(await connection.closed).toEqual({ kind: 'end' })
    expect(r.events).toEqual([
      { event: 'block', data: '{"height":1}', lastEventId: '1' },
      { event: 'message', data: 'two\nlines', lastEventId: '1' },
    ])
    const [request] = server.requests
    expect(request).toMatchObject({ method: 'GET', url: '/stream?chain=ton', body: '' })
    expect(request?.headers.accept).toBe('text/event-stream')
    expect(request?.headers['x-custom']).toBe('yes')
    expect(request?.headers['last-event-id']).toBe('0')
  })

  it('POST: sends the JSON body with Content-Type application/json', async () => {
    server.handle(async (conn) => {
      conn.open()
      conn.event({ data: 'ok' })
      await conn.end()
    })
    const r = recorder(`${server.url}/subscribe`, { method: 'POST', body: { accounts: ['EQ…', 'ü'] } })
    const connection = await connectSse(r.options)
    await connection.closed
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request?.body ?? '')).toEqual({ accounts: ['EQ…', 'ü'] })
    expect(r.events.map((e) => e.data)).toEqual(['ok'])
  })

  it('rejects a body on a GET request before sending anything', async () => {
    const error = await rejection(connectSse({ url: server.url, body: { a: 1 }, onEvent: () => {} }))
    expect(error.code).toBe('InvalidArgument')
    expect(server.requests).toHaveLength(0)
  })

  it('rejects a URL that does not parse before sending anything', async () => {
    const error = await rejection(connectSse({ url: 'not a url', onEvent: () => {} }))
    expect(error.code).toBe('InvalidArgument')
    expect(error.isRetryable).toBe(false)
    expect(error.message).toContain('Invalid SSE URL')
    expect(server.requests).toHaveLength(0)
  })

  it('events split across many writes (inside CRLF and UTF-8 characters) are reassembled', async () => {
    const text =
      'event: a\r\ndata: h€llo 😀\r\n\r\n: ping\r\nretry: 2500\r\nid: 9\r\ndata: x\r\ndata: y\r\n\r\n'
    const length = Buffer.byteLength(text)
    const splitAt = Array.from({ length: Math.floor(length / 3) }, (_, i) => (i + 1) * 3)
    server.handle(async (conn) => {
      conn.open()
      await conn.send(text, { splitAt })
      await conn.end()
    })
    const r = recorder(server.url)
    const connection = await connectSse(r.options)
    expect(await connection.closed).toEqual({ kind: 'end' })
    expect(r.events).toEqual([
      { event: 'a', data: 'h€llo 😀', lastEventId: '' },
      { event: 'message', data: 'x\ny', lastEventId: '9' },
    ])
    expect(r.comments).toEqual([' ping'])
    expect(r.retries).toEqual([2500])
    expect(r.bytes()).toBe(length)
  })

  it('a clean end discards a trailing incomplete event', async () => {
    server.handle(async (conn) => {
      conn.open()
      conn.event({ data: 'complete' })
      conn.send('data: incomplete\n')
      await conn.end()
    })
    const r = recorder(server.url)
    const connection = await connectSse(r.options)
    expect(await connection.closed).toEqual({ kind: 'end' })
    expect(r.events.map((e) => e.data)).toEqual(['complete'])
  })

  it('HTTP 500 with a JSON body rejects with a retryable HttpError carrying status and parsed body', async () => {
    server.handle((conn) => conn.respond(500, { error: 'database on fire' }, { 'Retry-After': '7' }))
    const error = await rejection(connectSse(recorder(server.url).options))
    expect(error.code).toBe('HttpError')
    expect(error.status).toBe(500)
    expect(error.body).toEqual({ error: 'database on fire' })
    expect(error.retryAfterMs).toBe(7000)
    expect(error.isRetryable).toBe(true)
    expect(error.message).toContain('database on fire')
  })

  it('HTTP 429 with Retry-After rejects with RateLimited and retryAfterMs', async () => {
    server.handle((conn) => conn.respond(429, { error: 'too many requests' }, { 'Retry-After': '3' }))
    const error = await rejection(connectSse(recorder(server.url).options))
    expect(error.code).toBe('RateLimited')
    expect(error.status).toBe(429)
    expect(error.retryAfterMs).toBe(3000)
    expect(error.body).toEqual({ error: 'too many requests' })
    expect(error.isRetryable).toBe(true)
  })

  it('HTTP 401 rejects with Unauthorized, not retryable', async () => {
    server.handle((conn) => conn.respond(401, 'no such key'))
    const error = await rejection(connectSse(recorder(server.url).options))
    expect(error.code).toBe('Unauthorized')
    expect(error.isRetryable).toBe(false)
    expect(error.body).toBe('no such key')
  })

  it('a huge error body is read only up to a bound', async () => {
    server.handle((conn) => conn.respond(503, 'x'.repeat(1024 * 1024)))
    const error = await rejection(connectSse(recorder(server.url).options))
    expect(error.status).toBe(503)
    expect((error.body as string).length).toBe(64 * 1024)
  })

  it('a drop in the middle of an event ends with ConnectionClosed and the partial event is not delivered', async () => {
    server.handle(async (conn) => {
      conn.open()
      conn.event({ data: 'whole' })
      conn.send('data: {"partial":')
      await conn.pause(30)
      conn.drop()
    })
    const r = recorder(server.url)
    const connection = await connectSse(r.options)
    const reason = await connection.closed
    expect(reason.kind).toBe('error')
    expect(reason.kind === 'error' && reason.error.code).toBe('ConnectionClosed')
    expect(reason.kind === 'error' && reason.error.isRetryable).toBe(true)
    expect(r.events.map((e) => e.data)).toEqual(['whole'])
  })

  it('silence longer than heartbeatTimeoutMs ends with HeartbeatTimeout; bytes keep it alive', async () => {
    const connection = nextConnection(server)
    const r = recorder(server.url, { heartbeatTimeoutMs: 300 })
    const opening = connectSse(r.options)
    const conn = await connection
    conn.open()
    const client = await opening
    const started = Date.now()
    let lastKeepaliveAt = started
    // Keepalives every 50 ms for 500 ms: well past the timeout in total, never silent for long.
    for (let i = 0; i < 10; i++) {
      conn.comment(' keepalive')
      lastKeepaliveAt = Date.now()
      await sleep(50)
    }
    const reason = await client.closed
    const closedAt = Date.now()
    expect(reason.kind === 'error' && reason.error.code).toBe('HeartbeatTimeout')
    expect(r.comments.length).toBe(10)
    // It survived well past one timeout because every keepalive reset the watchdog…
    expect(closedAt - started).toBeGreaterThanOrEqual(450 + 300 - 20)
    // …and fired once the stream had been silent for the timeout.
    expect(closedAt - lastKeepaliveAt).toBeGreaterThanOrEqual(300 - 20)
    await conn.closed // the socket was closed by the client
  })

  it('abort after open closes the socket (the server sees it) and leaves no timers', async () => {
    const timers = trackTimers('sse-transport.ts')
    onTestFinished(timers.stop)
    const connection = nextConnection(server)
    const controller = new AbortController()
    const opening = connectSse(
      recorder(server.url, { signal: controller.signal, heartbeatTimeoutMs: 60_000 }).options,
    )
    const conn = await connection
    conn.open()
    const client = await opening
    // Exactly the heartbeat timer is live while the connection is open; the open timer is gone.
    expect(timers.created()).toBe(2)
    expect(await timers.live()).toBe(1)
    controller.abort()
    expect(await client.closed).toEqual({ kind: 'closed' })
    // The socket that carried the stream is closed. (undici may open and drop a spare socket after an
    // abort — nodejs/undici#5845 — so the server's socket count is not asserted.)
    await conn.closed
    expect(await timers.live()).toBe(0)
  })

  it('close() is idempotent and closes the socket', async () => {
    const connection = nextConnection(server)
    const opening = connectSse(recorder(server.url).options)
    const conn = await connection
    conn.open()
    const client = await opening
    client.close()
    client.close()
    expect(await client.closed).toEqual({ kind: 'closed' })
    await conn.closed
  })

  it('abort while connecting rejects with Aborted, closes the socket and leaves no timers', async () => {
    const timers = trackTimers('sse-transport.ts')
    onTestFinished(timers.stop)
    const connection = nextConnection(server) // never answers
    const controller = new AbortController()
    const opening = connectSse(recorder(server.url, { signal: controller.signal }).options)
    const conn = await connection
    expect(await timers.live()).toBe(1) // the open timeout
    controller.abort(new Error('user gave up'))
    const error = await rejection(opening)
    expect(error.code).toBe('Aborted')
    expect(error.isRetryable).toBe(false)
    await conn.closed
    expect(await timers.live()).toBe(0)
  })

  it('an already aborted signal rejects with Aborted without sending a request', async () => {
    const error = await rejection(connectSse(recorder(server.url, { signal: AbortSignal.abort() }).options))
    expect(error.code).toBe('Aborted')
    expect(server.requests).toHaveLength(0)
  })

  it('no response headers within openTimeoutMs rejects with OpenTimeout', async () => {
    const connection = nextConnection(server) // never answers
    const error = await rejection(connectSse(recorder(server.url, { openTimeoutMs: 100 }).options))
    expect(error.code).toBe('OpenTimeout')
    expect(error.isRetryable).toBe(true)
    await (await connection).closed
  })

  it('a refused connection rejects with a retryable ConnectionClosed carrying the cause', async () => {
    const gone = await createSseServer()
    const url = gone.url
    await gone.close()
    const error = await rejection(connectSse(recorder(url).options))
    expect(error.code).toBe('ConnectionClosed')
    expect(error.isRetryable).toBe(true)
    expect(error.cause).toBeDefined()
    expect(error.message).toMatch(/ECONNREFUSED/)
  })

  it('an event over maxEventSize ends with EventTooLarge and the socket is closed', async () => {
    const connection = nextConnection(server)
    const r = recorder(server.url, { maxEventSize: 1024 })
    const opening = connectSse(r.options)
    const conn = await connection
    conn.open()
    const client = await opening
    conn.event({ data: 'small' })
    // 64 KiB of one event, in 1 KiB writes: the client must give up long before the end.
    const big = `data: ${'x'.repeat(64 * 1024)}\n\n`
    void conn.send(big, { splitAt: Array.from({ length: 63 }, (_, i) => (i + 1) * 1024) })
    const reason = await client.closed
    expect(reason.kind === 'error' && reason.error.code).toBe('EventTooLarge')
    expect(reason.kind === 'error' && reason.error.message).toContain('maxEventSize')
    expect(r.events.map((e) => e.data)).toEqual(['small'])
    await conn.closed
  })

  it('a throwing onEvent ends the connection with ConnectionClosed whose cause is the thrown error', async () => {
    server.handle((conn) => {
      conn.open()
      conn.event({ data: '1' })
      conn.event({ data: '2' })
    })
    const bug = new Error('consumer bug')
    const seen: string[] = []
    const connection = await connectSse({
      url: server.url,
      onEvent: (m) => {
        seen.push(m.data)
        throw bug
      },
    })
    const reason = await connection.closed
    expect(reason.kind === 'error' && reason.error.code).toBe('ConnectionClosed')
    expect(reason.kind === 'error' && reason.error.cause).toBe(bug)
    expect(seen).toEqual(['1'])
    await server.connections[0]?.closed
  })

  it('API keys in the query or the X-API-Key header never appear in error messages', async () => {
    // The server echoes the request line back, as some real APIs do.
    server.handle((conn) =>
      conn.respond(401, {
        error: `invalid key in ${conn.request.url}`,
        key: conn.request.headers['x-api-key'],
      }),
    )
    const options = (url: string) =>
      recorder(`${url}/stream?api_key=${SECRET}`, { headers: { 'X-API-Key': SECRET } }).options
    const unauthorized = await rejection(connectSse(options(server.url)))
    expect(unauthorized.code).toBe('Unauthorized')
    expect(unauthorized.message).toContain('/stream?api_key=')

    const gone = await createSseServer()
    const url = gone.url
    await gone.close()
    const refused = await rejection(connectSse(options(url)))
    expect(refused.code).toBe('ConnectionClosed')

    for (const error of [unauthorized, refused]) {
      expect(error.message).not.toContain(SECRET)
      expect(JSON.stringify(error)).not.toContain(SECRET)
      expect(String(error)).not.toContain(SECRET)
    }
  })

  describe('with a custom fetch (undici fetch)', () => {
    const fetch = undiciFetch as unknown as FetchLike

    it('streams events and reports a clean end', async () => {
      server.handle(async (conn) => {
        conn.open()
        await conn.event({ event: 'e', data: 'h€llo' }, { splitAt: [10, 14] })
        conn.event({ data: '2' })
        await conn.end()
      })
      const r = recorder(`${server.url}/f`, { fetch, method: 'POST', body: { x: 1 } })
      const connection = await connectSse(r.options)
      expect(connection.header('content-type')).toBe('text/event-stream')
      expect(await connection.closed).toEqual({ kind: 'end' })
      expect(r.events.map((e) => [e.event, e.data])).toEqual([
        ['e', 'h€llo'],
        ['message', '2'],
      ])
      expect(server.requests[0]?.body).toBe('{"x":1}')
      expect(server.requests[0]?.headers.accept).toBe('text/event-stream')
    })

    it('maps a non-2xx answer to the typed error', async () => {
      server.handle((conn) => conn.respond(429, { error: 'slow down' }, { 'Retry-After': '2' }))
      const error = await rejection(connectSse(recorder(server.url, { fetch }).options))
      expect(error.code).toBe('RateLimited')
      expect(error.retryAfterMs).toBe(2000)
      expect(error.body).toEqual({ error: 'slow down' })
    })

    it('abort after open closes the socket', async () => {
      const connection = nextConnection(server)
      const controller = new AbortController()
      const opening = connectSse(recorder(server.url, { fetch, signal: controller.signal }).options)
      const conn = await connection
      conn.open()
      const client = await opening
      controller.abort()
      expect(await client.closed).toEqual({ kind: 'closed' })
      await conn.closed
    })

    it('a drop mid-event ends with ConnectionClosed', async () => {
      server.handle(async (conn) => {
        conn.open()
        conn.send('data: partial')
        await conn.pause(30)
        conn.drop()
      })
      const r = recorder(server.url, { fetch })
      const connection = await connectSse(r.options)
      const reason = await connection.closed
      expect(reason.kind === 'error' && reason.error.code).toBe('ConnectionClosed')
      expect(r.events).toEqual([])
    })
  })
})
