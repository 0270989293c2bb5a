import { isChainstreamError } from '@chainstream/core'
import type { TonEvent } from '@chainstream/provider-toncenter'
import { createTonSimulator, type TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createTonapi } from './tonapi.js'

const KEY = 'tonapi-key-0001'
const sims: TonSimulator[] = []
const streams: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()))
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

async function simulator(options: Parameters<typeof createTonSimulator>[0] = {}) {
  const sim = await createTonSimulator({ keepaliveMs: 1_000, lingerMs: 0, ...options })
  sims.push(sim)
  return sim
}

async function until(predicate: () => boolean, timeoutMs = 5_000) {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const label = (e: TonEvent) => `${e.type}${'finality' in e ? ` ${e.finality}` : ''} ${e.source}`

describe('TonAPI', () => {
  it('uses the TonAPI endpoints and defaults: no /api prefix, mainnet host, TON Center v3 only with a TON Center key', () => {
    expect(createTonapi({ apiKey: KEY }).endpoints).toEqual({
      sseUrl: 'https://tonapi.io/streaming/v2/sse',
      wsUrl: 'wss://tonapi.io/streaming/v2/ws',
      v3BaseUrl: undefined,
    })
    expect(
      createTonapi({ apiKey: KEY, network: 'testnet', toncenterApiKey: 'tc-key-0001' }).endpoints,
    ).toEqual({
      sseUrl: 'https://testnet.tonapi.io/streaming/v2/sse',
      wsUrl: 'wss://testnet.tonapi.io/streaming/v2/ws',
      v3BaseUrl: 'https://testnet.toncenter.com/api/v3',
    })
    expect(() => createTonapi({ apiKey: '' })).toThrow(/apiKey: must not be empty/)
    expect(() => createTonapi({ baseUrl: 'ftp://x' })).toThrow(/baseUrl/)
  })

  for (const transport of ['sse', 'websocket'] as const) {
    it(`streams over ${transport} with Authorization: Bearer by default`, async () => {
      const sim = await simulator()
      const [a, b] = sim.addresses as [string, string]
      const stream = createTonapi({ apiKey: KEY, baseUrl: sim.tonapi.baseUrl }).stream({
        transport,
        types: ['transactions'],
        addresses: [a],
        minFinality: 'confirmed',
      })
      streams.push(stream)
      const events: TonEvent[] = []
      stream.on('event', (event) => {
        events.push(event)
      })
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const session = sim.sessions[0]!
      expect(session.flavour).toBe('tonapi')
      expect(session.request.headers.authorization).toBe(`Bearer ${KEY}`)
      expect(session.request.url.startsWith('/streaming/v2/')).toBe(true)
      await sim.emitTrace({ addresses: [a, b] }).finish()
      await until(() => events.length === 2)
      expect(events.map(label)).toEqual(['transactions confirmed stream', 'transactions finalized stream'])
    })
  }

  it('sends the key as ?token= with authVia query', async () => {
    const sim = await simulator()
    const stream = createTonapi({ apiKey: KEY, baseUrl: sim.tonapi.baseUrl, authVia: 'query' }).stream({
      transport: 'websocket',
      types: ['transactions'],
      addresses: [sim.addresses[0]!],
    })
    streams.push(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    expect(sim.sessions[0]?.request.url).toContain(`token=${KEY}`)
    expect(sim.sessions[0]?.request.headers.authorization).toBeUndefined()
  })

  it('maps a 401 to a fatal Unauthorized', async () => {
    const sim = await simulator({ keys: { 'another-key-0001': {} } })
    const stream = createTonapi({ apiKey: KEY, baseUrl: sim.tonapi.baseUrl }).stream({
      types: ['transactions'],
      addresses: [sim.addresses[0]!],
    })
    streams.push(stream)
    const error = await stream.closed
    expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
    expect(error?.message).toMatch(/^TonAPI: API key does not exist/)
  })

  it('recovers a gap from TON Center API v3 when v3BaseUrl is given', async () => {
    const sim = await simulator({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 })
    const [a, b] = sim.addresses as [string, string]
    const stream = createTonapi({
      apiKey: KEY,
      baseUrl: sim.tonapi.baseUrl,
      v3BaseUrl: sim.toncenter.v3BaseUrl,
    }).stream({
      transport: 'websocket',
      types: ['transactions'],
      addresses: [a],
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    })
    streams.push(stream)
    const events: TonEvent[] = []
    stream.on('event', (event) => {
      events.push(event)
    })
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await until(() => (sim.v3Calls.transactions ?? 0) >= 1)
    sim.dropConnections()
    const missed = sim.emitTrace({ addresses: [a, b] })
    await missed.finish()
    await until(() => events.length === 1)
    expect(events.map(label)).toEqual(['transactions finalized backfill'])
    expect(events[0]).toMatchObject({ trace_external_hash_norm: missed.traceExternalHashNorm })
  })

  it('says recovery is unavailable without TON Center v3, and streams on', async () => {
    const sim = await simulator()
    const stream = createTonapi({ apiKey: KEY, baseUrl: sim.tonapi.baseUrl }).stream({
      types: ['transactions'],
      addresses: [sim.addresses[0]!],
    })
    streams.push(stream)
    const codes: string[] = []
    stream.on('diagnostic', (diagnostic) => {
      codes.push(diagnostic.code)
    })
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await until(() => codes.length === 1)
    expect(codes).toEqual(['recovery-unavailable'])
    expect(sim.v3Calls).toEqual({})
  })
})
