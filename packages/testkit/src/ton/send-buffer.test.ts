import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { afterHead, type RawClient, rawSse, rawWs, sseData, wsTexts } from './raw-clients.test-helper.js'
import { type OutgoingFrame, resolveSendBuffer, SendBuffer } from './send-buffer.js'
import type { TonSession } from './session.js'
import { connectWs, openSse } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator, type TonSimulatorOptions } from './ton-simulator.js'

const KEY = { 'x-api-key': 'k' }
const PAD = 'x'.repeat(64 * 1024)

let sim: TonSimulator | undefined
const raws: RawClient[] = []
afterEach(async () => {
  for (const client of raws.splice(0)) client.close()
  await sim?.close()
  sim = undefined
})

const start = async (options: TonSimulatorOptions = {}) => {
  sim = await createTonSimulator({
    keys: { k: { maxConnections: 10 } },
    keepaliveMs: 0,
    lingerMs: 0,
    ...options,
  })
  return sim
}

/** An SSE client that has read its `connected` frame and then stopped reading. */
const stalledSse = async (s: TonSimulator) => {
  const client = await rawSse(
    s.toncenter.sseUrl,
    { types: ['transactions'], addresses: [s.addresses[0]] },
    KEY,
  )
  raws.push(client)
  await client.waitFor((bytes) => bytes.includes('event: connected'))
  client.socket.pause()
  return { client, session: await s.nextSession() }
}

/** A WebSocket client, subscribed, that then stopped reading. */
const stalledWs = async (s: TonSimulator) => {
  const client = await rawWs(s.toncenter.wsUrl, KEY)
  raws.push(client)
  const session = await s.nextSession()
  client.sendText(
    JSON.stringify({ operation: 'subscribe', id: 's', types: ['transactions'], addresses: [s.addresses[0]] }),
  )
  await client.waitFor((bytes) => bytes.includes('"subscribed"'))
  client.socket.pause()
  return { client, session }
}

/** Sends big frames until the socket stops taking them, so the next ones wait in the server's buffers. */
const fillSocket = async (s: TonSimulator, session: TonSession) => {
  for (let i = 0; session.queued === 0; i++) {
    if (i > 2_000) throw new Error('the socket never pushed back')
    await s.broadcast({ type: 'padding', pad: PAD })
  }
}

const probes = async (s: TonSimulator, count: number) => {
  const mark = s.ledger.mark()
  await Promise.all(Array.from({ length: count }, (_, n) => s.broadcast({ type: 'probe', n })))
  return s.ledger.since(mark).map((event) => event.seq)
}

const probeNumbers = (messages: Record<string, unknown>[]) =>
  messages.filter((m) => m.type === 'probe').map((m) => m.n)

const range = (count: number) => Array.from({ length: count }, (_, i) => i)

describe('TON simulator — slow consumers (server.go send buffers)', () => {
  it('SSE: 16 frames wait for a stalled socket, the rest are dropped silently and listed', async () => {
    const s = await start()
    const { client, session } = await stalledSse(s)
    await fillSocket(s, session)
    const room = 16 - session.queued
    const seqs = await probes(s, room + 5)
    expect(session.queued).toBe(16)
    expect(session.dropped).toEqual(
      seqs.slice(room).map((seq) => ({ seq, type: 'probe', reason: 'connection-buffer' })),
    )
    // API v3 and the ledger do not care.
    expect(s.ledger.events.filter((e) => e.notification.type === 'probe')).toHaveLength(room + 5)

    client.socket.resume()
    await client.waitFor((bytes) => probeNumbers(sseData(bytes)).length === room)
    expect(probeNumbers(sseData(client.bytes()))).toEqual(range(room))
    expect(session.queued).toBe(0)
    expect(session.written.filter((w) => w.type === 'probe').map((w) => w.seq)).toEqual(seqs.slice(0, room))
    expect(session.sent.filter((m) => (m as { type?: string }).type === 'probe')).toHaveLength(room)
  })

  it('WebSocket: 64 frames wait in the client buffer; responses skip it and are never dropped', async () => {
    const s = await start()
    const { client, session } = await stalledWs(s)
    await fillSocket(s, session)
    const room = 64 - session.queued
    const seqs = await probes(s, room + 3)
    expect(session.queued).toBe(64)
    expect(session.dropped.map((d) => [d.seq, d.reason])).toEqual(
      seqs.slice(room).map((seq) => [seq, 'client-buffer']),
    )
    // The reading goroutine writes its answer straight to the socket, behind what the socket holds and
    // ahead of the queued frames.
    client.sendText(JSON.stringify({ operation: 'ping', id: 'p' }))
    await expect.poll(() => session.received.length).toBe(2)

    client.socket.resume()
    await client.waitFor((bytes) => probeNumbers(texts(bytes)).length === room)
    const messages = texts(client.bytes())
    expect(probeNumbers(messages)).toEqual(range(room))
    const pong = messages.findIndex((m) => m.status === 'pong')
    expect(pong).toBeGreaterThan(0)
    expect(messages.findIndex((m) => m.type === 'probe')).toBeGreaterThan(pong)
  })

  it('a client that keeps reading loses nothing, however big the bursts', async () => {
    const s = await start()
    const everything = {
      types: ['transactions', 'actions', 'account_state_change', 'jettons_change'],
      addresses: s.addresses,
      min_finality: 'pending',
      include_address_book: true,
    }
    const sse = await openSse(s.toncenter.sseUrl, everything, KEY)
    const ws = await connectWs(s.toncenter.wsUrl, KEY)
    await ws.request({ operation: 'subscribe', id: 's', ...everything })
    await s.step(100, { seed: 4 })
    for (let i = 0; i < 100; i++) await s.step(1)
    await s.stop({ finish: true })
    const [sseSession, wsSession] = s.sessions
    const count = (session: TonSession | undefined) => session?.written.length ?? -1
    // Everything written arrives (after the acknowledgement), once the bursts have drained.
    const received = () => [sse.text.split('\nevent: event\n').length - 1, ws.raw.length - 1]
    const settled = () => sseSession?.queued === 0 && wsSession?.queued === 0
    await expect
      .poll(() => settled() && received().join() === [count(sseSession), count(wsSession)].join(), {
        timeout: 10_000,
      })
      .toBe(true)
    expect(count(sseSession)).toBeGreaterThan(1_000)
    expect([sseSession?.dropped, wsSession?.dropped]).toEqual([[], []])
    sse.close()
    ws.socket.terminate()
  })

  it('Infinity never drops; 0 drops whatever arrives while the socket is backed up', async () => {
    const unbounded = await start({ sendBuffer: { perConnection: Number.POSITIVE_INFINITY } })
    const { session } = await stalledSse(unbounded)
    await fillSocket(unbounded, session)
    await probes(unbounded, 100)
    expect({ queued: session.queued > 100, dropped: session.dropped }).toEqual({ queued: true, dropped: [] })
    await unbounded.close()

    const none = await start({ sendBuffer: { perClient: 0 } })
    const { session: ws } = await stalledWs(none)
    for (let i = 0; ws.dropped.length === 0; i++) {
      if (i > 2_000) throw new Error('the socket never pushed back')
      await none.broadcast({ type: 'padding', pad: PAD })
    }
    expect(ws.queued).toBe(0)
    expect(ws.dropped.every((d) => d.reason === 'client-buffer')).toBe(true)
  })

  it('queued frames count as lost when the connection ends, silenced ones as silenced', async () => {
    const s = await start()
    const { session } = await stalledWs(s)
    await fillSocket(s, session)
    const queued = session.queued
    session.drop()
    await session.closed
    expect(session.dropped.map((d) => d.reason)).toEqual(Array(queued).fill('closed'))

    const quiet = await stalledSse(s)
    s.silence(quiet.session)
    const [seq] = await probes(s, 1)
    expect(quiet.session.dropped).toEqual([{ seq, type: 'probe', reason: 'silenced' }])
  })

  it('a dropped snapshot still makes its invalidation due, as the server remembers before buffering', async () => {
    const s = await start()
    const client = await rawSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: [s.addresses[0]], min_finality: 'pending' },
      KEY,
    )
    raws.push(client)
    await client.waitFor((bytes) => bytes.includes('event: connected'))
    client.socket.pause()
    const session = await s.nextSession()
    await fillSocket(s, session)
    await probes(s, 16)
    const trace = s.emitTrace({ addresses: s.addresses.slice(0, 2), stages: ['pending', 'invalidated'] })
    await trace.advance()
    expect(session.dropped.at(-1)).toMatchObject({
      type: 'transactions',
      finality: 'pending',
      trace_external_hash_norm: trace.traceExternalHashNorm,
      reason: 'connection-buffer',
    })
    expect(session.invalidationCandidates).toEqual([trace.traceExternalHashNorm])
    await trace.advance()
    expect(session.dropped.at(-1)).toMatchObject({ type: 'trace_invalidated', reason: 'connection-buffer' })
  })

  it('checks the sizes', () => {
    expect(resolveSendBuffer()).toEqual({ perConnection: 16, perClient: 64 })
    expect(resolveSendBuffer({ perClient: Number.POSITIVE_INFINITY, perConnection: 0 })).toEqual({
      perConnection: 0,
      perClient: Number.POSITIVE_INFINITY,
    })
    expect(() => resolveSendBuffer({ perConnection: -1 })).toThrow(/perConnection/)
    expect(() => resolveSendBuffer({ perClient: 1.5 })).toThrow(/perClient/)
  })
})

function texts(bytes: Buffer): Record<string, unknown>[] {
  return wsTexts(afterHead(bytes)).map((text) => JSON.parse(text) as Record<string, unknown>)
}

describe('SendBuffer serialisation', () => {
  const frame = (seq: number): OutgoingFrame => ({
    message: { type: 'trace', seq },
    identity: { seq, type: 'trace' },
  })
  const turns = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)))

  it('serialises a frame as it is queued behind a blocked socket, so the drain only writes', async () => {
    // A socket nobody reads: it pushes back after the first write.
    const socket = new PassThrough({ highWaterMark: 1 })
    const written: (string | undefined)[] = []
    const serialised: number[] = []
    const buffer = new SendBuffer({
      transport: 'ws',
      limits: resolveSendBuffer({ perClient: Number.POSITIVE_INFINITY }),
      socket,
      write: (f) => {
        written.push(f.json)
        socket.write('x'.repeat(16))
      },
      drop: () => {},
      serialize: (f) => {
        serialised.push(f.identity.seq)
        return JSON.stringify(f.message)
      },
    })
    buffer.push(frame(1))
    await turns()
    expect(buffer.blocked).toBe(true)
    buffer.push(frame(2))
    buffer.push(frame(3))
    // Written at once (not serialised by the buffer); the queued ones serialised as they were queued.
    expect(written).toEqual([undefined])
    expect(serialised).toEqual([2, 3])
    socket.resume()
    await turns()
    expect(written).toEqual([undefined, '{"type":"trace","seq":2}', '{"type":"trace","seq":3}'])
    expect(serialised).toEqual([2, 3])
  })
})
