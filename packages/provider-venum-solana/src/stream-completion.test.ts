import { createServer, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { COMPLETION_GRACE_MS } from './shard.js'
import { sig, until } from './venum-test-kit.test-helper.js'

/**
 * A Venum-shaped server for one signature: `ready`, then every tier at once; with `closes`, the stream
 * ends shortly after `finalized` as Venum's does, otherwise it stays open (a server that never completes).
 * `cut` counts the streams the client tore down before the server ended them.
 */
async function venumServer(closes: boolean) {
  const sockets = new Set<Socket>()
  const streams: ServerResponse[] = []
  let cut = 0
  let closed = 0
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/v1/tx/')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'not_found' }))
      return
    }
    streams.push(res)
    const signature = url.searchParams.get('signatures') ?? ''
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = (name: string, data: unknown) =>
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    event('ready', { ts: Date.now(), signatures: [signature] })
    for (const status of ['landed', 'processed', 'confirmed', 'finalized']) {
      event('tx', { signature, status, slot: 1, ts: Date.now() })
    }
    res.on('close', () => {
      closed++
      if (!res.writableFinished) cut++
    })
    // The end a moment after the last event, as it may come from a real server (a separate write).
    if (closes) setTimeout(() => res.end(), 50)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  cleanups.push(close)
  return { url: `http://127.0.0.1:${address.port}`, sockets, streams, cut: () => cut, closed: () => closed }
}

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('a stream Venum has finished', () => {
  it('is left for Venum to close: the request is not aborted and its connection stays for the next', async () => {
    const server = await venumServer(true)
    const venum = createVenum({ apiKey: 'k'.repeat(16), baseUrl: server.url })
    const watch = venum.watch({ signatures: [sig(1)] })
    await expect(watch.closed).resolves.toBeUndefined()
    await watch.close()
    await until(() => server.closed() === 1)
    expect(server.cut()).toBe(0)
    // A completed request leaves its socket alive for the next one.
    expect([...server.sockets].filter((socket) => !socket.destroyed).length).toBeGreaterThan(0)
    await venum.close()
  })

  it('is closed by the client when the server keeps it open past the grace period', async () => {
    const server = await venumServer(false)
    const venum = createVenum({ apiKey: 'k'.repeat(16), baseUrl: server.url })
    const watch = venum.watch({ signatures: [sig(1)] })
    await expect(watch.closed).resolves.toBeUndefined()
    const started = Date.now()
    await watch.close()
    const stream = server.streams[0]
    await until(() => stream?.destroyed === true || stream?.writableEnded === true, 2 * COMPLETION_GRACE_MS)
    expect(Date.now() - started).toBeLessThan(COMPLETION_GRACE_MS + 1_000)
    await venum.close()
  })
})
