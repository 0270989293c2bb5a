import { createServer, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { record, sig, until } from './venum-test-kit.test-helper.js'

/**
 * A Venum-shaped server: every stream gets `ready`, then (after `landedAfterMs`) `landed` for each of its
 * signatures but the `silent` ones, and stays open. REST lookups are held until `answerLookups()`, so that
 * the client's snapshot queue backs up; `lookedUp` lists the signatures asked for, in order.
 */
async function venumServer(options: { landedAfterMs: number; silent: readonly string[] }) {
  const sockets = new Set<Socket>()
  const held: ServerResponse[] = []
  const lookedUp: string[] = []
  const answer = (res: ServerResponse) => {
    if (res.destroyed) return
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'not_found' }))
  }
  let answering = false
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/v1/tx/')) {
      lookedUp.push(url.pathname.slice('/v1/tx/'.length))
      if (answering) answer(res)
      else held.push(res)
      return
    }
    const signatures = url.searchParams.get('signatures')?.split(',') ?? []
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = (name: string, data: unknown) =>
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    event('ready', { ts: Date.now(), signatures })
    setTimeout(() => {
      for (const signature of signatures) {
        if (!options.silent.includes(signature)) event('tx', { signature, status: 'landed', slot: 1, ts: 1 })
      }
    }, options.landedAfterMs)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return {
    url: `http://127.0.0.1:${address.port}`,
    lookedUp: () => [...lookedUp],
    answerLookups: () => {
      answering = true
      for (const res of held.splice(0)) answer(res)
    },
  }
}

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('the snapshot after `ready`', () => {
  it('skips a queued lookup of a signature whose status the same connection has reported meanwhile', async () => {
    const signatures = Array.from({ length: 20 }, (_, i) => sig(i + 1))
    // The last signature of each stream of 10 never hears from its stream: its lookup is still made.
    const silent = [sig(10), sig(20)]
    const server = await venumServer({ landedAfterMs: 30, silent })
    const venum = createVenum({ apiKey: 'k'.repeat(16), baseUrl: server.url })
    const watch = venum.watch({ signatures })
    const seen = record(watch)
    await watch.ready
    // Two snapshots of 10: 16 lookups in flight (the client's bound), the last 4 of one stream queued.
    await until(() => server.lookedUp().length === 16)
    await until(() => seen.updates.length === 18)
    server.answerLookups()
    // Of the queued four, only the silent one still needed a lookup: the stream reported the others.
    await until(() => silent.every((s) => server.lookedUp().includes(s)))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const lookedUp = server.lookedUp()
    expect(lookedUp).toHaveLength(17)
    expect(lookedUp).toEqual(expect.arrayContaining(silent))
    expect(new Set(lookedUp).size).toBe(17)
    expect(seen.updates.every((u) => u.status === 'landed' && u.source === 'stream')).toBe(true)
    expect(watch.counters.lookups).toBe(17)
    await watch.close()
    await venum.close()
  })

  it('still looks up every signature when the stream has said nothing yet', async () => {
    const signatures = Array.from({ length: 20 }, (_, i) => sig(i + 1))
    const server = await venumServer({ landedAfterMs: 60_000, silent: [] })
    const venum = createVenum({ apiKey: 'k'.repeat(16), baseUrl: server.url })
    const watch = venum.watch({ signatures })
    await watch.ready
    await until(() => server.lookedUp().length === 16)
    server.answerLookups()
    await until(() => server.lookedUp().length === 20)
    expect(new Set(server.lookedUp())).toEqual(new Set(signatures))
    await watch.close()
    await venum.close()
  })
})
