import { type IncomingMessage, request } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSseServer, type SseServer } from './sse-server.js'
import type { SseServerConnection } from './sse-server-connection.js'

interface ClientResponse {
  status: number
  headers: IncomingMessage['headers']
  /** Body chunks as received. */
  chunks: Buffer[]
  /** The body received so far, decoded as UTF-8. */
  text(): string
  /** Settles when the body ends: `'end'` for a clean end, `'error'` when the connection broke. */
  done: Promise<'end' | 'error'>
}

/** A plain node:http client, so the server is tested independently of chainstream's own transport. */
function fetchRaw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      const done = new Promise<'end' | 'error'>((settle) => {
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => settle('end'))
        res.on('error', () => settle('error'))
        res.on('aborted', () => settle('error'))
      })
      const text = () => Buffer.concat(chunks).toString('utf8')
      resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks, text, done })
    })
    req.end(init.body)
  })
}

/** Resolves with the next connection the server hands to a handler. */
function nextConnection(server: SseServer): Promise<SseServerConnection> {
  return new Promise((resolve) => server.handleNext(resolve))
}

describe('createSseServer', () => {
  let server: SseServer

  beforeEach(async () => {
    server = await createSseServer()
  })

  afterEach(async () => {
    await server.close()
  })

  it('listens on an ephemeral loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.url).not.toMatch(/:0$/)
  })

  it('records every request: method, path with query, headers and the full body', async () => {
    server.handle((conn) => conn.respond(204))
    const get = await fetchRaw(`${server.url}/stream?x=1`, { headers: { 'X-Test': 'yes' } })
    await get.done
    const body = JSON.stringify({ accounts: ['a', 'b'], pad: 'p'.repeat(100_000) })
    const post = await fetchRaw(`${server.url}/sub`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    await post.done
    expect(server.requests).toHaveLength(2)
    const [first, second] = server.requests
    expect(first).toMatchObject({ method: 'GET', url: '/stream?x=1', body: '' })
    expect(first?.headers['x-test']).toBe('yes')
    expect(second).toMatchObject({ method: 'POST', url: '/sub', body })
    expect(second?.at).toBeGreaterThanOrEqual(first?.at ?? Number.POSITIVE_INFINITY)
  })

  it('handleNext handlers are used once each, in order, before the default handler', async () => {
    server.handleNext((conn) => conn.respond(201, 'first'))
    server.handleNext((conn) => conn.respond(202, 'second'))
    server.handle((conn) => conn.respond(200, 'default'))
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await fetchRaw(server.url)
      await res.done
      statuses.push(res.status)
    }
    expect(statuses).toEqual([201, 202, 200, 200])
  })

  it('answers 404 when no handler is installed', async () => {
    const res = await fetchRaw(server.url)
    await res.done
    expect(res.status).toBe(404)
  })

  it('respond sends a status, a JSON body and extra headers', async () => {
    server.handle((conn) => conn.respond(429, { error: 'slow down' }, { 'Retry-After': '3' }))
    const res = await fetchRaw(server.url)
    await res.done
    expect(res.status).toBe(429)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['retry-after']).toBe('3')
    expect(JSON.parse(res.text())).toEqual({ error: 'slow down' })
  })

  it('open sends event-stream headers at once, before any body', async () => {
    const connection = nextConnection(server)
    const response = fetchRaw(server.url)
    const conn = await connection
    conn.open()
    const res = await response
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/event-stream')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.chunks).toEqual([])
    await conn.end()
    expect(await res.done).toBe('end')
  })

  it('event and comment format the wire text', async () => {
    server.handle(async (conn) => {
      conn.open()
      conn.event({ event: 'block', id: '7', retry: 100, data: 'line1\nline2' })
      conn.event({ data: { n: 1 } })
      conn.comment(' keepalive')
      await conn.end()
    })
    const res = await fetchRaw(server.url)
    await res.done
    expect(res.text()).toBe(
      'event: block\nid: 7\nretry: 100\ndata: line1\ndata: line2\n\ndata: {"n":1}\n\n: keepalive\n',
    )
  })

  it('split writes arrive split, at the given byte offsets', async () => {
    const text = 'data: h€llo\r\n\r\n'
    // Cut inside the 3-byte "€" (bytes 7-9) and between the first CR (13) and its LF (14).
    server.handle(async (conn) => {
      conn.open()
      await conn.send(text, { splitAt: [14, 8, 15], gapMs: 20 })
      await conn.end()
    })
    const res = await fetchRaw(server.url)
    await res.done
    expect(res.chunks.map((c) => c.length)).toEqual([8, 6, 1, 2])
    expect(res.chunks[2]?.toString()).toBe('\n')
    expect(res.text()).toBe(text)
  })

  it('writes queued behind a split send keep their order', async () => {
    server.handle(async (conn) => {
      conn.open()
      void conn.send('data: 1\n\n', { splitAt: [3] })
      conn.send('data: 2\n\n')
      conn.event({ data: '3' })
      await conn.end()
    })
    const res = await fetchRaw(server.url)
    await res.done
    expect(res.text()).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n')
  })

  it('drop destroys the socket mid-event; the client sees an error, not an end', async () => {
    const connection = nextConnection(server)
    const response = fetchRaw(server.url)
    const conn = await connection
    conn.open()
    const res = await response
    conn.send('data: {"partial":')
    await new Promise((resolve) => setTimeout(resolve, 20))
    conn.drop()
    expect(conn.isClosed).toBe(true)
    expect(await res.done).toBe('error')
    expect(res.text()).toBe('data: {"partial":')
    await conn.closed
    expect(server.activeConnections).toBe(0)
    expect(server.connectionCount).toBe(1)
    // Writing after the drop is a harmless no-op.
    expect(conn.send('data: more\n\n')).toBe(false)
  })

  it('conn.closed resolves when the client goes away', async () => {
    const connection = nextConnection(server)
    const req = request(server.url, { agent: false })
    req.on('error', () => {})
    req.end()
    const conn = await connection
    conn.open()
    expect(conn.isClosed).toBe(false)
    expect(server.activeConnections).toBe(1)
    req.destroy()
    await conn.closed
    expect(conn.isClosed).toBe(true)
  })

  it('pause ends early when the connection closes', async () => {
    const connection = nextConnection(server)
    const response = fetchRaw(server.url)
    const conn = await connection
    conn.open()
    const res = await response
    const started = Date.now()
    const paused = conn.pause(10_000)
    conn.drop()
    await paused
    await res.done
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a throwing handler gets a 500 and the server keeps serving', async () => {
    server.handleNext(() => {
      throw new Error('handler bug')
    })
    server.handleNext(async () => {
      await Promise.reject(new Error('async handler bug'))
    })
    server.handle((conn) => conn.respond(200, 'fine'))
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await fetchRaw(server.url)
      await res.done
      statuses.push(res.status)
    }
    expect(statuses).toEqual([500, 500, 200])
  })

  it('close destroys open sockets and stops listening', async () => {
    server.handle((conn) => conn.open())
    const res = await fetchRaw(server.url)
    expect(server.activeConnections).toBe(1)
    await server.close()
    expect(await res.done).toBe('error')
    await expect(fetchRaw(server.url)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('drain resolves once a flood of writes has been flushed', async () => {
    const chunk = 'data: ' + 'x'.repeat(64 * 1024) + '\n\n'
    let sawBackpressure = false
    server.handle(async (conn) => {
      conn.open()
      for (let i = 0; i < 64; i++) {
        if (!conn.send(chunk)) {
          sawBackpressure = true
          await conn.drain()
        }
      }
      await conn.end()
    })
    const res = await fetchRaw(server.url)
    await res.done
    expect(sawBackpressure).toBe(true)
    expect(res.text().length).toBe(chunk.length * 64)
  })
})
