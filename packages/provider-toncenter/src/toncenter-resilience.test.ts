import { isChainstreamError } from '@chainstream/core'
import type { TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import { createToncenter, type ToncenterOptions } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const toncenterFor = (sim: TonSimulator, options: ToncenterOptions) =>
  createToncenter({ baseUrl: sim.toncenter.baseUrl, ...options })

describe('liveness', () => {
  it('SSE: the connected frame means subscribed, and : keepalive comments keep a quiet stream alive', async () => {
    const sim = await harness.start({ keepaliveMs: 50 })
    const stream = harness.track(
      toncenterFor(sim, { apiKey: 'live-key-0001' }).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
        heartbeatTimeoutMs: 250,
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await settle(800)
    expect(stream.state).toBe('subscribed')
    expect(seen.errors).toEqual([])
    expect(sim.sessions).toHaveLength(1)
  })

  it('SSE: silence longer than heartbeatTimeoutMs reconnects', async () => {
    const sim = await harness.start({ keepaliveMs: 50 })
    const stream = harness.track(
      toncenterFor(sim, { apiKey: 'live-key-0002' }).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
        heartbeatTimeoutMs: 200,
        reconnect: FAST_RECONNECT,
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    sim.silence()
    await until(() => sim.sessions.length === 2 && stream.state === 'subscribed')
    expect(seen.errors.map((e) => e.code)).toContain('HeartbeatTimeout')
  })

  it('WebSocket: pings every pingIntervalMs with string ids, and detects a half-open socket by the pong timeout', async () => {
    const sim = await harness.start()
    const stream = harness.track(
      toncenterFor(sim, { apiKey: 'live-key-0003' }).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
        pingIntervalMs: 50,
        pongTimeoutMs: 150,
        reconnect: FAST_RECONNECT,
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await until(() => sim.sessions[0]!.received.filter((text) => text.includes('"ping"')).length >= 3)
    const ping = JSON.parse(sim.sessions[0]!.received.find((text) => text.includes('"ping"'))!)
    expect(ping).toEqual({ operation: 'ping', id: expect.stringMatching(/^ping-\d+$/) })
    expect(seen.errors).toEqual([])
    sim.stopAnsweringPings()
    await until(() => sim.sessions.length === 2 && stream.state === 'subscribed')
    expect(seen.errors.map((e) => e.code)).toContain('PongTimeout')
  })
})

describe('connection limits and keys', () => {
  it('rotates to the next key on connection limit reached', async () => {
    const sim = await harness.start({
      keys: { 'key-a-0001': { maxConnections: 1 }, 'key-b-0002': { maxConnections: 1 } },
    })
    const address = sim.addresses[0]!
    const first = harness.track(
      toncenterFor(sim, { apiKey: 'key-a-0001' }).stream({ types: ['transactions'], addresses: [address] }),
    )
    await first.waitSubscribed({ timeoutMs: 5_000 })
    for (const transport of ['sse', 'websocket'] as const) {
      const rotating = harness.track(
        toncenterFor(sim, { apiKeys: ['key-a-0001', 'key-b-0002'] }).stream({
          transport,
          types: ['transactions'],
          addresses: [address],
          reconnect: FAST_RECONNECT,
        }),
      )
      const seen = record(rotating)
      await rotating.waitSubscribed({ timeoutMs: 5_000 })
      expect(seen.errors.map((e) => e.code)).toEqual(['ConnectionLimit'])
      expect(sim.sessions.at(-1)?.key).toBe('key-b-0002')
      await rotating.close()
      await until(() => (sim.connections.byKey['key-b-0002']?.active ?? 0) === 0)
    }
  })

  for (const transport of ['sse', 'websocket'] as const) {
    it(`${transport}: recovers from reconnect-too-soon (429 while the server holds the dropped session) with one key`, async () => {
      const sim = await harness.start({ keys: { 'one-key-0001': { maxConnections: 1 } }, lingerMs: 400 })
      const stream = harness.track(
        toncenterFor(sim, { apiKey: 'one-key-0001' }).stream({
          transport,
          types: ['transactions'],
          addresses: [sim.addresses[0]!],
          reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      sim.dropConnections()
      await until(() => stream.state === 'reconnecting')
      await until(() => stream.state === 'subscribed', 5_000)
      expect(seen.errors.map((e) => e.code)).toContain('ConnectionLimit')
      expect(seen.errors.filter((e) => e.code === 'ConnectionLimit').every((e) => e.isRetryable)).toBe(true)
    })

    it(`${transport}: fails with a typed ConnectionLimit (with attempts) once the retry budget of one key is spent`, async () => {
      const sim = await harness.start({ keys: { 'busy-key-0001': { maxConnections: 1 } } })
      const address = sim.addresses[0]!
      const holder = harness.track(
        toncenterFor(sim, { apiKey: 'busy-key-0001' }).stream({
          types: ['transactions'],
          addresses: [address],
        }),
      )
      await holder.waitSubscribed({ timeoutMs: 5_000 })
      const stream = harness.track(
        toncenterFor(sim, { apiKey: 'busy-key-0001' }).stream({
          transport,
          types: ['transactions'],
          addresses: [address],
          connectionLimitRetryMs: 300,
          reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
        }),
      )
      const error = await stream.closed
      expect(isChainstreamError(error, 'ConnectionLimit')).toBe(true)
      expect(error?.isRetryable).toBe(false)
      expect(error?.attempts).toBeGreaterThan(1)
      expect(error?.message).toMatch(/connection limit reached for the API key/)
      if (transport === 'websocket') {
        // The WebSocket limit error arrives after the upgrade as {"error": …} without an id.
        const refused = sim.requests.filter((r) => r.url.includes('/ws')).length
        expect(refused).toBeGreaterThan(1)
      }
    })
  }

  it('gives up with ConnectionLost carrying the attempts when reconnects keep failing', async () => {
    const sim = await harness.start()
    sim.failNext({ status: 503, on: 'stream', times: 100 })
    const stream = harness.track(
      toncenterFor(sim, { apiKey: 'lost-key-0001' }).stream({
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
        reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 },
      }),
    )
    const error = await stream.closed
    expect(isChainstreamError(error, 'ConnectionLost')).toBe(true)
    expect(error?.attempts).toBe(3)
  })
})
