import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createWsServer, type WsServer } from './ws-server.js'

let server: WsServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

const start = async (...args: Parameters<typeof createWsServer>) => {
  server = await createWsServer(...args)
  return server
}

/** A `ws` client that resolves once open. */
const connect = (url: string, headers: Record<string, string> = {}) =>
  new Promise<WebSocket>((resolve, reject) => {
    const client = new WebSocket(url, { headers })
    client.once('open', () => resolve(client))
    client.once('error', reject)
  })

const nextClientMessage = (client: WebSocket) =>
  new Promise<string>((resolve) => client.once('message', (data) => resolve(data.toString())))

const clientClosed = (client: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )

describe('createWsServer', () => {
  it('listens on an ephemeral loopback port and records every upgrade with path, query and headers', async () => {
    const s = await start({ path: '/v1/stream' })
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/stream$/)
    const client = await connect(`${s.url}?api_key=abc`, { 'x-api-key': 'k1' })
    const connection = await s.nextConnection()
    expect(connection.request.url).toBe('/v1/stream?api_key=abc')
    expect(s.upgrades).toHaveLength(1)
    expect(s.upgrades[0]).toMatchObject({ url: '/v1/stream?api_key=abc', headers: { 'x-api-key': 'k1' } })
    expect(s.connectionCount).toBe(1)
    expect(s.activeConnections).toBe(1)
    client.close()
    await connection.closed
    expect(s.activeConnections).toBe(0)
  })

  it('refuses upgrades to another path with 404', async () => {
    const s = await start({ path: '/v1/stream' })
    const status = await new Promise<number | undefined>((resolve) => {
      const client = new WebSocket(s.url.replace('/v1/stream', '/other'))
      client.on('unexpected-response', (_request, response: IncomingMessage) => {
        resolve(response.statusCode)
        client.terminate()
      })
      client.on('error', () => {})
    })
    expect(status).toBe(404)
    expect(s.connectionCount).toBe(0)
  })

  it('runs one-shot handlers in order, then the default handler', async () => {
    const s = await start()
    const order: string[] = []
    s.handle((c) => {
      order.push('default')
      c.send('default')
    })
    s.handleNext((c) => {
      order.push('first')
      c.send('first')
    })
    s.handleNext((c) => {
      order.push('second')
      c.send({ n: 2 })
    })
    const replies: string[] = []
    for (let i = 0; i < 3; i++) {
      const client = new WebSocket(s.url)
      replies.push(await nextClientMessage(client))
      client.close()
    }
    expect(order).toEqual(['first', 'second', 'default'])
    expect(replies).toEqual(['first', '{"n":2}', 'default'])
  })

  it('records messages in order and hands them out with nextMessage, including ones already received', async () => {
    const s = await start()
    const client = await connect(s.url)
    const connection = await s.nextConnection()
    client.send('a')
    client.send('b')
    client.send(Buffer.from('c-bin'))
    client.send('d')
    expect(await connection.nextMessage()).toBe('a')
    expect(await connection.nextMessage((m) => m.startsWith('c'))).toBe('c-bin')
    expect(await connection.nextMessage()).toBe('d')
    expect(connection.messages).toEqual(['a', 'b', 'c-bin', 'd'])
    await expect(connection.nextMessage(undefined, 50)).rejects.toThrow(/no matching message within 50 ms/)
    client.close()
  })

  it('answers scripted replies through onMessage', async () => {
    const s = await start()
    s.handle((c) => {
      c.onMessage((m) => {
        if (m === 'ping') c.send('pong')
      })
    })
    const client = await connect(s.url)
    const reply = nextClientMessage(client)
    client.send('ping')
    expect(await reply).toBe('pong')
    client.close()
  })

  it('reports bytes not yet written and drain() waits until a paused reader takes them', async () => {
    const s = await start()
    const client = await connect(s.url)
    const connection = await s.nextConnection()
    expect(connection.bufferedAmount).toBe(0)
    await connection.drain() // nothing buffered: at once
    // The client stops reading: the kernel buffers fill and the rest stays in the server's socket.
    ;(client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()
    let received = 0
    client.on('message', () => {
      received++
    })
    const payload = 'x'.repeat(64 * 1024)
    for (let i = 0; i < 256; i++) connection.send(payload)
    expect(connection.bufferedAmount).toBeGreaterThan(0)
    let drained = false
    const waiting = connection.drain().then(() => {
      drained = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(drained).toBe(false)
    ;(client as unknown as { _socket: { resume(): void } })._socket.resume()
    await waiting
    expect(connection.bufferedAmount).toBe(0)
    await expect.poll(() => received).toBe(256)
    client.close()
  })

  it('refuses the next upgrade with the given status, body and headers, then accepts again', async () => {
    const s = await start()
    s.rejectNext({ status: 429, body: { error: 'slow down' }, headers: { 'Retry-After': '7' } })
    const refused = await new Promise<{ status?: number; retryAfter?: string; body: string }>((resolve) => {
      const client = new WebSocket(s.url)
      client.on('error', () => {})
      client.on('unexpected-response', (_request, response: IncomingMessage) => {
        let body = ''
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        response.on('end', () => {
          const retryAfter = response.headers['retry-after']
          resolve({
            ...(response.statusCode ? { status: response.statusCode } : {}),
            body,
            ...(retryAfter ? { retryAfter } : {}),
          })
          client.terminate()
        })
      })
    })
    expect(refused).toEqual({ status: 429, retryAfter: '7', body: '{"error":"slow down"}' })
    const client = await connect(s.url)
    expect(s.connectionCount).toBe(1)
    expect(s.upgrades).toHaveLength(2)
    client.close()
  })

  it('stalls the next upgrade: TCP is accepted but no answer ever comes', async () => {
    const s = await start()
    s.stallNext()
    const started = Date.now()
    const error = await new Promise<Error>((resolve) => {
      const client = new WebSocket(s.url, { handshakeTimeout: 150 })
      client.on('error', resolve)
    })
    expect(error.message).toMatch(/timed out/i)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(s.upgrades).toHaveLength(1)
    expect(s.connectionCount).toBe(0)
  })

  it('closes with a code and reason, or terminates abruptly', async () => {
    const s = await start()
    s.handleNext((c) => c.close(4001, 'go away'))
    s.handleNext((c) => c.terminate())
    const first = new WebSocket(s.url)
    expect(await clientClosed(first)).toEqual({ code: 4001, reason: 'go away' })
    const second = new WebSocket(s.url)
    second.on('error', () => {})
    expect(await clientClosed(second)).toEqual({ code: 1006, reason: '' })
    const [a, b] = s.connections
    expect(await a?.closed).toEqual({ code: 4001, reason: 'go away' })
    expect(b?.isClosed).toBe(true)
  })

  it('survives throwing handlers and listeners: the connection closes with 1011, the server keeps serving', async () => {
    const s = await start()
    s.handleNext(() => {
      throw new Error('boom')
    })
    s.handleNext(async () => {
      throw new Error('async boom')
    })
    s.handleNext((c) => {
      c.onMessage(() => {
        throw new Error('listener boom')
      })
    })
    const syncFailure = new WebSocket(s.url)
    expect((await clientClosed(syncFailure)).code).toBe(1011)
    const asyncFailure = new WebSocket(s.url)
    expect((await clientClosed(asyncFailure)).code).toBe(1011)
    const listenerFailure = await connect(s.url)
    listenerFailure.send('x')
    expect((await clientClosed(listenerFailure)).code).toBe(1011)
    expect(s.handlerErrors.map((e) => (e as Error).message)).toEqual(['boom', 'async boom', 'listener boom'])
    const healthy = await connect(s.url)
    expect(healthy.readyState).toBe(WebSocket.OPEN)
    healthy.close()
  })

  it('goSilent stops answering and reading while the TCP connection stays open', async () => {
    const s = await start()
    s.handle((c) =>
      c.onMessage((m) => {
        if (m === 'ping') c.send('pong')
      }),
    )
    const client = await connect(s.url)
    const connection = await s.nextConnection()
    const answered = nextClientMessage(client)
    client.send('ping')
    expect(await answered).toBe('pong')

    connection.goSilent()
    let replies = 0
    client.on('message', () => replies++)
    let protocolPongs = 0
    client.on('pong', () => protocolPongs++)
    client.send('ping')
    client.ping()
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(replies).toBe(0)
    expect(protocolPongs).toBe(0)
    expect(connection.messages).toEqual(['ping'])
    expect(connection.isClosed).toBe(false)
    expect(client.readyState).toBe(WebSocket.OPEN)
    client.terminate()
  })

  it('close() drops every connection, stalled ones included, and rejects pending waits', async () => {
    const s = await start()
    const client = await connect(s.url)
    const closed = clientClosed(client)
    const connection = await s.nextConnection()
    const pending = connection.nextMessage()
    s.stallNext()
    const stalled = new WebSocket(s.url)
    stalled.on('error', () => {})
    const stalledClosed = clientClosed(stalled)
    await new Promise((resolve) => setTimeout(resolve, 30))
    await s.close()
    expect((await closed).code).toBe(1006)
    expect((await stalledClosed).code).toBe(1006)
    await expect(pending).rejects.toThrow(/closed/)
    expect(s.activeConnections).toBe(0)
  })
})
