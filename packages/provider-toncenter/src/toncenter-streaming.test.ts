import { isChainstreamError } from '@chainstream/core'
import { createSseServer, type TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { fixtureJson, fixtureText } from './fixtures.test-helper.js'
import { toUserFriendly } from './protocol/address.js'
import { FAST_RECONNECT, label, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import { createToncenter } from './toncenter.js'

const KEY = 'test-key-streaming-1'
const harness = simulatorHarness()
afterEach(() => harness.cleanup())

function toncenterFor(sim: TonSimulator, key = KEY) {
  return createToncenter({ apiKey: key, baseUrl: sim.toncenter.baseUrl })
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`TON Center over ${transport}`, () => {
    it('subscribes with the mapped wire body and the X-API-Key header, and delivers typed notifications', async () => {
      const sim = await harness.start()
      const [a, b] = sim.addresses as [string, string]
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions', 'actions', 'account_state_change'],
          addresses: [toUserFriendly(a, { bounceable: false }), a],
          minFinality: 'pending',
          includeAddressBook: true,
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const session = sim.sessions[0]!
      expect(session.request.headers['x-api-key']).toBe(KEY)
      const sent =
        transport === 'sse'
          ? JSON.parse(session.request.body)
          : JSON.parse(session.received.find((text) => text.includes('"subscribe"')) ?? '{}')
      expect(sent).toMatchObject({
        types: ['transactions', 'actions', 'account_state_change'],
        addresses: [a],
        min_finality: 'pending',
        include_address_book: true,
        include_metadata: false,
      })
      if (transport === 'websocket') expect(typeof sent.id).toBe('string')

      await sim.emitTrace({ addresses: [a, b] }).finish()
      await until(() => seen.events.length >= 8)
      expect(seen.events.map((e) => label(e))).toEqual([
        'transactions pending stream',
        'actions pending stream',
        'transactions confirmed stream',
        'actions confirmed stream',
        'account_state_change confirmed stream',
        'transactions finalized stream',
        'actions finalized stream',
        'account_state_change finalized stream',
      ])
      const txs = seen.events.find((e) => e.type === 'transactions')
      if (txs?.type !== 'transactions') throw new Error('no transactions event')
      expect(typeof txs.transactions[0]?.lt).toBe('string')
      expect(txs.transactions[0]?.account).toBe(a)
      expect(txs.address_book).toBeDefined()
      expect(stream.state).toBe('subscribed')
    })

    it('decodes captured frames as the server sends them, and reports unknown types as diagnostics', async () => {
      const sim = await harness.start()
      const captured = fixtureJson<{ transactions: { account: string }[] }>(
        'transactions-pending.captured.json',
      )
      const account = captured.transactions[0]!.account
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions', 'account_state_change'],
          addresses: [account],
          minFinality: 'pending',
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await sim.broadcast(fixtureJson('transactions-pending.captured.json'))
      await sim.broadcast(fixtureJson('account-state-change-confirmed.captured.json'))
      await sim.broadcast(fixtureJson('unknown-type.json'))
      await until(() => seen.events.length === 2 && seen.diagnostics.length === 1)
      expect(seen.events.map((e) => label(e))).toEqual([
        'transactions pending stream',
        'account_state_change confirmed stream',
      ])
      expect(seen.diagnostics[0]?.code).toBe('unknown-event-type')
      expect(stream.state).toBe('subscribed')
    })

    it('gives each handler its own filters, and the stream minFinality to handlers without one', async () => {
      const sim = await harness.start()
      const [a, b] = sim.addresses as [string, string]
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions', 'actions'],
          addresses: [a],
          minFinality: 'confirmed',
        }),
      )
      const plain: string[] = []
      const finalOnly: string[] = []
      const jettons: string[] = []
      stream.on('transactions', (event) => {
        plain.push(event.finality)
      })
      stream.on(
        'transactions',
        (event) => {
          finalOnly.push(event.finality)
        },
        { minFinality: 'finalized' },
      )
      stream.on(
        'actions',
        (event) => {
          jettons.push(...event.actions.map((action) => action.type))
        },
        { actionTypes: ['jetton_transfer'] },
      )
      expect(() => stream.on('transactions', () => {}, { minFinality: 'pending' })).toThrow(
        /subscribes at 'confirmed'/,
      )
      expect(() => stream.on('account_state_change', () => {}, { minFinality: 'pending' })).toThrow(
        /only sent at confirmed or finalized/,
      )
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await sim.emitTrace({ addresses: [a, b], actionTypes: ['ton_transfer'] }).finish()
      await sim.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] }).finish()
      await until(() => plain.length === 4)
      await settle(50)
      expect(plain).toEqual(['confirmed', 'finalized', 'confirmed', 'finalized'])
      expect(finalOnly).toEqual(['finalized', 'finalized'])
      expect(jettons).toEqual(['jetton_transfer', 'jetton_transfer'])
    })

    it('delivers actions of types beyond the documented 22, with a one-time diagnostic', async () => {
      const sim = await harness.start()
      const [a, b] = sim.addresses as [string, string]
      const stream = harness.track(
        toncenterFor(sim).stream({ transport, types: ['actions'], addresses: [a] }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await sim.emitTrace({ addresses: [a, b], actionTypes: ['nft_transfer'] }).finish()
      await sim.emitTrace({ addresses: [a, b], actionTypes: ['nft_transfer'] }).finish()
      await until(() => seen.events.length === 2)
      const types = seen.events.flatMap((e) =>
        e.type === 'actions' ? e.actions.map((action) => action.type) : [],
      )
      expect(types).toEqual(['nft_transfer', 'nft_transfer'])
      expect(seen.diagnostics.map((d) => d.code)).toEqual(['unknown-action-type'])
    })

    it('keeps streaming when a handler throws, and reports the exception', async () => {
      const sim = await harness.start()
      const [a, b] = sim.addresses as [string, string]
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions'],
          addresses: [a],
          minFinality: 'finalized',
        }),
      )
      const seen = record(stream)
      stream.on('transactions', () => {
        throw new Error('handler bug')
      })
      const after: string[] = []
      stream.on('transactions', (event) => {
        after.push(event.finality)
      })
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await sim.emitTrace({ addresses: [a, b] }).finish()
      await sim.emitTrace({ addresses: [a, b] }).finish()
      await until(() => after.length === 2)
      expect(seen.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('handler bug'),
        expect.stringContaining('handler bug'),
      ])
      expect(stream.state).toBe('subscribed')
    })

    it('fails before any request on an invalid address or subscription', async () => {
      const sim = await harness.start()
      const toncenter = toncenterFor(sim)
      expect(() => toncenter.stream({ transport, types: ['transactions'], addresses: ['EQbad'] })).toThrow(
        /Invalid TON address "EQbad"/,
      )
      expect(() =>
        toncenter.stream({
          transport,
          types: ['transactions', 'trace_invalidated' as never],
          addresses: [sim.addresses[0]!],
        }),
      ).toThrow(/always delivered/)
      expect(() => toncenter.stream({ transport, types: ['trace'] })).toThrow(/needs traceExternalHashNorms/)
      await settle(20)
      expect(sim.requests).toHaveLength(0)
    })

    it('ends with a fatal InvalidSubscription carrying the server message on HTTP 400', async () => {
      const sim = await harness.start()
      sim.failNext({ status: 400, body: { error: 'too many addresses: 1200 > max 1000' }, on: 'stream' })
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions'],
          addresses: [sim.addresses[0]!],
          reconnect: FAST_RECONNECT,
        }),
      )
      const error = await stream.closed
      expect(isChainstreamError(error, 'InvalidSubscription')).toBe(true)
      expect(error?.message).toBe('TON Center rejected the subscription: too many addresses: 1200 > max 1000')
      expect(error?.status).toBe(400)
    })

    it('ends with a fatal Unauthorized on an unknown key, without the key in the message', async () => {
      const sim = await harness.start({ keys: { 'the-only-valid-key': {} } })
      const stream = harness.track(
        toncenterFor(sim, 'wrong-key-but-secret-987').stream({
          transport,
          types: ['transactions'],
          addresses: [sim.addresses[0]!],
        }),
      )
      const error = await stream.closed
      expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
      expect(error?.message).toContain('API key does not exist')
      expect(JSON.stringify(error)).not.toContain('wrong-key-but-secret-987')
    })

    it('retries 5xx and the gateway rate limit (429 Ratelimit exceed), then streams', async () => {
      const sim = await harness.start()
      sim.failNext({ status: 502, body: 'Bad Gateway', on: 'stream' })
      sim.failNext({ status: 429, body: { ok: false, result: 'Ratelimit exceed', code: 429 }, on: 'stream' })
      const stream = harness.track(
        toncenterFor(sim).stream({
          transport,
          types: ['transactions'],
          addresses: [sim.addresses[0]!],
          reconnect: FAST_RECONNECT,
        }),
      )
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      expect(seen.errors.map((e) => e.code)).toEqual(['HttpError', 'RateLimited'])
    })
  })
}

describe('TON Center authentication', () => {
  it('sends the key as ?api_key= with authVia query, and never logs it', async () => {
    const sim = await harness.start()
    const toncenter = createToncenter({
      apiKey: 'query-key-0001',
      baseUrl: sim.toncenter.baseUrl,
      authVia: 'query',
    })
    const stream = harness.track(
      toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: [sim.addresses[0]!] }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    expect(sim.sessions[0]?.request.url).toContain('api_key=query-key-0001')
    expect(sim.sessions[0]?.request.headers['x-api-key']).toBeUndefined()
    // Recovery's API v3 requests (the baseline, right after subscribing) place the key the same way.
    const v3 = () => sim.requests.filter((request) => request.url.startsWith('/api/v3/'))
    await expect.poll(() => v3().length, { timeout: 5_000 }).toBeGreaterThan(0)
    for (const request of v3()) {
      expect(request.url).toContain('api_key=query-key-0001')
      expect(request.headers['x-api-key']).toBeUndefined()
    }
  })

  it('explains that a key is required when none is given (limit 0)', async () => {
    const sim = await harness.start()
    const stream = harness.track(
      createToncenter({ baseUrl: sim.toncenter.baseUrl }).stream({
        types: ['transactions'],
        addresses: [sim.addresses[0]!],
      }),
    )
    const error = await stream.closed
    expect(isChainstreamError(error, 'ConnectionLimit')).toBe(true)
    expect(error?.message).toMatch(/requires an API key/)
  })

  it('streams the captured SSE session byte for byte, from a plain SSE server', async () => {
    const server = await createSseServer()
    try {
      server.handle((conn) => {
        conn.open()
        conn.send(fixtureText('sse-session.txt'))
      })
      const account = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
      const stream = harness.track(
        createToncenter({ apiKey: KEY, baseUrl: server.url }).stream({
          types: ['transactions', 'account_state_change'],
          addresses: [account],
          minFinality: 'pending',
          recovery: 'off',
        }),
      )
      const seen = record(stream)
      await until(() => seen.events.length === 3)
      expect(seen.events.map((e) => label(e))).toEqual([
        'transactions pending stream',
        'account_state_change confirmed stream',
        'trace_invalidated stream',
      ])
      expect(server.requests[0]?.url).toBe('/api/streaming/v2/sse')
      expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({
        addresses: [account],
        min_finality: 'pending',
      })
      await stream.close()
    } finally {
      await server.close()
    }
  })
})
