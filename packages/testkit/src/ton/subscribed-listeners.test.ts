import { afterEach, describe, expect, it } from 'vitest'
import {
  afterHead,
  type RawClient,
  rawSse,
  rawWs,
  recordServerWrites,
  wsTexts,
} from './raw-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'

const KEY = { 'x-api-key': 'k' }

let sim: TonSimulator | undefined
const raws: RawClient[] = []
let recording: ReturnType<typeof recordServerWrites> | undefined
afterEach(async () => {
  recording?.restore()
  recording = undefined
  for (const client of raws.splice(0)) client.close()
  await sim?.close()
  sim = undefined
})

const start = async () => {
  sim = await createTonSimulator({ keys: { k: { maxConnections: 5 } }, keepaliveMs: 0, lingerMs: 0 })
  return sim
}

/** The one server write that holds all of `parts`, or undefined. */
const writeWith = (writes: readonly Buffer[], ...parts: string[]) =>
  writes.find((write) => parts.every((part) => write.includes(part)))

describe('TON simulator — onSubscribed: the ack and what follows in one write', () => {
  it('SSE: the response head, the connected frame and the first event arrive in one data chunk', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const trace = s.emitTrace({ addresses: [a, b] })
    const seen: string[] = []
    s.onSubscribed((session) => {
      seen.push(session.id)
      // Even a step later: Node's HTTP layer corks only until the next tick, the simulator until the next
      // macrotask.
      process.nextTick(() => void trace.advance())
    })
    recording = recordServerWrites()
    const client = await rawSse(
      s.toncenter.sseUrl,
      { id: 'r1', types: ['transactions'], addresses: [a], min_finality: 'pending' },
      KEY,
    )
    raws.push(client)
    await client.waitFor((bytes) => bytes.includes('"type":"transactions"'))
    const first = client.chunks[0]?.toString('utf8') ?? ''
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(first).toContain('event: connected\ndata: {"id":"r1","status":"subscribed"}\n\n')
    expect(first).toContain('event: event\ndata: {"type":"transactions","finality":"pending"')
    expect(seen).toEqual(['sse-1'])
    expect(
      writeWith(recording.writes, 'HTTP/1.1 200', 'event: connected', '"type":"transactions"'),
    ).toBeDefined()
  })

  it('WebSocket: the subscribed response and the notifications arrive in one data chunk', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const trace = s.emitTrace({ addresses: [a, b], stages: ['pending', 'finalized'] })
    const off = s.onSubscribed(() => {
      void trace.advance()
    })
    const client = await rawWs(s.toncenter.wsUrl, KEY)
    raws.push(client)
    recording = recordServerWrites()
    const before = client.chunks.length
    client.sendText(
      JSON.stringify({
        operation: 'subscribe',
        id: 's1',
        types: ['transactions', 'actions'],
        addresses: [a],
        min_finality: 'pending',
      }),
    )
    await client.waitFor((bytes) => bytes.includes('"type":"actions"'))
    const chunk = client.chunks[before] ?? Buffer.alloc(0)
    const texts = wsTexts(chunk).map((text) => JSON.parse(text) as Record<string, unknown>)
    expect(texts.map((m) => m.status ?? m.type)).toEqual(['subscribed', 'transactions', 'actions'])
    expect(texts[0]).toEqual({ id: 's1', status: 'subscribed' })
    expect(
      writeWith(recording.writes, '"status":"subscribed"', '"type":"transactions"', '"type":"actions"'),
    ).toBeDefined()

    // Every subscribe (a replace) calls the listeners; removed, this one no longer runs.
    off()
    client.sendText(
      JSON.stringify({ operation: 'subscribe', id: 's2', types: ['transactions'], addresses: [b] }),
    )
    await client.waitFor((bytes) => bytes.includes('"s2"'))
    expect(wsTexts(afterHead(client.bytes())).filter((text) => text.includes('"type"'))).toHaveLength(2)
    expect(trace.stage).toBe('pending')
  })
})
