import { createServer, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { COMPLETION_GRACE_MS } from './shard.js'
import { sig, until } from './venum-test-kit.test-helper.js'

/**
 * A Venum-shaped server for one signature: `ready`, then every tier at once; with `closes`, the stream
 * ends shortly after `finalized` as Venum's does, otherwise it stays open (a server that never completes).
 * `cut` counts the streams the client tore down before the server ended them. With `holdLookups`, REST
 * lookups are answered only on `answerLookups()` (and the tiers come `tiersAfterMs` after `ready`, so
 * that the snapshot is asked for first); `lookupsCut` lists the signatures of those the client tore down
 * unanswered. A stream of only `silent` signatures gets `ready` and nothing more: it stays open.
 */
async function venumServer(
  closes: boolean,
  options: { holdLookups?: boolean; tiersAfterMs?: number; silent?: readonly string[] } = {},
) {
  const sockets = new Set<Socket>()
  const streams: ServerResponse[] = []
  const heldLookups: ServerResponse[] = []
  let cut = 0
  let closed = 0
  const lookupsCut: string[] = []
  const answer = (res: ServerResponse) => {
    if (res.destroyed) return
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'not_found' }))
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/v1/tx/')) {
      if (!options.holdLookups) return answer(res)
      heldLookups.push(res)
      res.on('close', () => {
        if (!res.writableFinished) lookupsCut.push(url.pathname.slice('/v1/tx/'.length))
      })
      return
    }
    streams.push(res)
    const signature = url.searchParams.get('signatures') ?? ''
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = (name: string, data: unknown) =>
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    event('ready', { ts: Date.now(), signatures: [signature] })
    const tiers = () => {
      for (const status of ['landed', 'processed', 'confirmed', 'finalized']) {
        event('tx', { signature, status, slot: 1, ts: Date.now() })
      }
      // The end a moment after the last event, as it may come from a real server (a separate write).
      if (closes) setTimeout(() => res.end(), 50)
    }
    res.on('close', () => {
      closed++
      if (!res.writableFinished) cut++
    })
    if (signature.split(',').every((s) => options.silent?.includes(s))) return
    if (options.tiersAfterMs === undefined) tiers()
    else setTimeout(tiers, options.tiersAfterMs)
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
  return {
    url: `http://127.0.0.1:${address.port}`,
    sockets,
    streams,
    cut: () => cut,
    closed: () => closed,
    lookups: () => heldLookups.length,
    lookupsCut: () => [...lookupsCut],
    answerLookups: () => heldLookups.forEach(answer),
  }
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

  it('leaves its snapshot lookups in flight to answer (dropped) while anything is watched, then cancels them', async () => {
    const busy = Array.from({ length: 10 }, (_, i) => sig(i + 2))
    const server = await venumServer(true, { holdLookups: true, tiersAfterMs: 100, silent: busy })
    const venum = createVenum({ apiKey: 'k'.repeat(16), baseUrl: server.url })
    // Another watch keeps the client's streams in use: a full stream of its own that stays open.
    const other = venum.watch({ signatures: busy })
    const watch = venum.watch({ signatures: [sig(1)] })
    const updates: string[] = []
    const errors: unknown[] = []
    watch.on('update', (update) => updates.push(`${update.status}/${update.source}`))
    watch.on('error', (error) => errors.push(error))
    await until(() => server.lookups() === 11)
    await expect(watch.closed).resolves.toBeUndefined()
    // Venum ended the stream, so its shard is over; its lookup is still waiting for its answer.
    await until(() => server.closed() === 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.lookupsCut()).toEqual([])
    // The stream's four tiers, once each, and no error.
    expect(updates).toEqual(['landed/stream', 'processed/stream', 'confirmed/stream', 'finalized/stream'])
    expect(errors).toEqual([])
    // Nothing watched any more: the lookup left to answer is cancelled with the other watch's own.
    await other.close()
    await until(() => server.lookupsCut().length === 11)
    expect(server.lookupsCut()).toContain(sig(1))
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
