import { fetch } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, openSse, sleep } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator, type TonSimulatorOptions } from './ton-simulator.js'

const ACCOUNT = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
const KEY = { 'x-api-key': 'k1' }

let sim: TonSimulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const start = async (options: TonSimulatorOptions = {}) => {
  sim = await createTonSimulator({
    keys: { k1: { maxConnections: 2 } },
    keepaliveMs: 60_000,
    lingerMs: 0,
    ...options,
  })
  return sim
}

describe('TON simulator — SSE', () => {
  it('frames a session byte for byte like the captured one', async () => {
    const s = await start()
    const client = await openSse(
      s.toncenter.sseUrl,
      {
        id: 'req-1',
        types: ['transactions', 'account_state_change'],
        addresses: [ACCOUNT],
        min_finality: 'pending',
      },
      KEY,
    )
    expect(client.status).toBe(200)
    expect(client.headers.get('content-type')).toBe('text/event-stream')
    await client.waitFor((data) => data.length === 1)
    await s.broadcast(JSON.parse(fixture('transactions-pending.captured.json')))
    await client.waitFor((data) => data.length === 2)
    s.sendKeepalive()
    await client.waitFor((_, text) => text.includes(': keepalive'))
    await s.broadcast(JSON.parse(fixture('account-state-change-confirmed.captured.json')))
    // The connection saw the pending snapshot, so it is told about the invalidation.
    await s.broadcast(JSON.parse(fixture('trace-invalidated.json')))
    await client.waitFor((data) => data.length === 4)
    expect(client.text).toBe(fixture('sse-session.txt'))
    client.close()
  })

  it('sends : keepalive comments every keepaliveMs', async () => {
    const s = await start({ keepaliveMs: 40 })
    const client = await openSse(
      s.tonapi.sseUrl,
      { types: ['transactions'], addresses: [ACCOUNT] },
      { authorization: 'Bearer k1' },
    )
    await client.waitFor((_, text) => text.split(': keepalive\n\n').length >= 3)
    expect(client.text.startsWith('event: connected\ndata: {"status":"subscribed"}\n\n: keepalive\n\n')).toBe(
      true,
    )
    client.close()
  })

  it('answers every captured error body with its status', async () => {
    const s = await start({ keys: { k1: { maxConnections: 2 } } })
    const expected = JSON.parse(fixture('sse-errors.json')) as { status: number; body: unknown }[]
    const url = s.toncenter.sseUrl
    const many = Array.from({ length: 1200 }, (_, i) => `0:${i.toString(16).padStart(64, '0')}`)
    // Checked after the connection limit, so asked while a slot is free.
    const tooMany = await openSse(url, { types: ['transactions'], addresses: many }, KEY)
    const held = [
      await openSse(url, { types: ['transactions'], addresses: [ACCOUNT] }, KEY),
      await openSse(url, { types: ['transactions'], addresses: [ACCOUNT] }, KEY),
    ]
    // A gateway rate limit, injected: it takes the next request whatever it is.
    s.failNext({ status: 429, body: { ok: false, result: 'Ratelimit exceed', code: 429 }, on: 'sse' })
    const rateLimited = await openSse(url, { types: ['transactions'], addresses: [ACCOUNT] }, KEY)
    const results = [
      await openSse(url, { id: 'req-1', addresses: [ACCOUNT] }, KEY),
      await openSse(url, { types: ['transactions'], addresses: ['not-an-address'] }, KEY),
      await openSse(url, { types: ['trace_invalidated'], addresses: [ACCOUNT] }, KEY),
      tooMany,
      await openSse(url, { types: ['transactions'], addresses: [ACCOUNT] }, KEY),
      await openSse(url, { types: ['transactions'], addresses: [ACCOUNT] }, { 'x-api-key': 'nope' }),
    ]
    const got = [...results, rateLimited].map((r) => ({ status: r.status, body: r.error }))
    expect(got).toEqual(expected)
    for (const client of held) client.close()
  })

  it('reports the too-many-addresses limit after the connection check, and the key limits are configurable', async () => {
    const s = await start({ keys: { small: { maxConnections: 1, maxAddresses: 2 } } })
    const three = [ACCOUNT, `0:${'1'.repeat(64)}`, `0:${'2'.repeat(64)}`]
    const refused = await openSse(
      s.toncenter.sseUrl,
      { id: 'x', types: ['transactions'], addresses: three },
      { 'x-api-key': 'small' },
    )
    expect({ status: refused.status, body: refused.error }).toEqual({
      status: 400,
      body: { error: 'too many addresses: 3 > max 2', id: 'x' },
    })
    // The refused request did not keep the only slot.
    const ok = await openSse(
      s.toncenter.sseUrl,
      { types: ['transactions'], addresses: three.slice(0, 2) },
      { 'x-api-key': 'small' },
    )
    expect(ok.status).toBe(200)
    ok.close()
  })

  it('validates subscriptions with the server texts', async () => {
    const s = await start()
    const url = s.toncenter.sseUrl
    const cases: [unknown, string][] = [
      [{ id: 'a', types: ['trace'] }, 'trace_external_hash_norms are required for trace subscription'],
      [
        { types: ['transactions'], addresses: [ACCOUNT], trace_external_hash_norms: ['x'] },
        'trace_external_hash_norms requires type "trace"',
      ],
      [
        { types: ['trace'], trace_external_hash_norms: [' '] },
        'trace_external_hash_norms contains empty value',
      ],
      [{ types: ['transactions'] }, 'addresses are required for subscription'],
      [{ types: ['transactions', 'bogus'], addresses: ['bad'] }, 'invalid event type: bogus'],
      [
        { types: ['transactions'], addresses: [ACCOUNT], min_finality: 'soon' },
        'invalid subscription request: unknown finality state: soon',
      ],
      [
        { id: 7, types: ['transactions'] },
        'invalid subscription request: json: cannot unmarshal number into Go struct field SSERequest.id of type string',
      ],
      [
        { types: 'transactions' },
        'invalid subscription request: json: cannot unmarshal string into Go struct field SSERequest.types of type []v2.EventType',
      ],
      [
        '[1]',
        'invalid subscription request: json: cannot unmarshal array into Go value of type v2.SSERequest',
      ],
      ['', 'invalid subscription request: unexpected end of JSON input'],
      ['hello', "invalid subscription request: invalid character 'h' looking for beginning of value"],
    ]
    for (const [body, error] of cases) {
      const answer = await openSse(url, body, KEY)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect((answer.error as { error: string }).error).toBe(error)
    }
    const withId = await openSse(url, { id: 'a', types: ['trace'] }, KEY)
    expect(withId.error).toEqual({
      error: 'trace_external_hash_norms are required for trace subscription',
      id: 'a',
    })
    const notJson = await openSse(
      url,
      { types: ['transactions'], addresses: [ACCOUNT] },
      { ...KEY, 'content-type': 'text/plain' },
    )
    expect(notJson.error).toEqual({ error: 'invalid subscription request: Unprocessable Entity' })
  })

  it('refuses GET with 405, and unknown paths with 404', async () => {
    const s = await start()
    const get = await fetch(s.toncenter.sseUrl, { headers: KEY })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect(await get.json()).toEqual({ error: 'method not allowed' })
    expect((await fetch(`${s.url}/api/streaming/v1/sse`)).status).toBe(404)
  })

  it('reads each flavour’s own auth forms; without a key the limit is 0', async () => {
    const s = await start()
    const body = { types: ['transactions'], addresses: [ACCOUNT] }
    const viaQuery = await openSse(`${s.toncenter.sseUrl}?api_key=k1`, body)
    const viaToken = await openSse(`${s.tonapi.sseUrl}?token=k1`, body)
    expect([viaQuery.status, viaToken.status]).toEqual([200, 200])
    viaQuery.close()
    viaToken.close()
    const bearerOnToncenter = await openSse(
      s.toncenter.sseUrl,
      { id: 'n', ...body },
      { authorization: 'Bearer k1' },
    )
    expect({ status: bearerOnToncenter.status, body: bearerOnToncenter.error }).toEqual({
      status: 429,
      body: { error: 'connection limit reached: 0 active connections', id: 'n' },
    })
  })

  it('filters by min_finality (default finalized), account and type, LT descending', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const finalizedOnly = await openSse(s.toncenter.sseUrl, { types: ['transactions'], addresses: [a] }, KEY)
    const everything = await openSse(
      s.toncenter.sseUrl,
      {
        types: ['transactions', 'actions'],
        addresses: [b],
        min_finality: 'pending',
        action_types: ['jetton_transfer'],
      },
      KEY,
    )
    const trace = s.emitTrace({ addresses: [a, b], actionTypes: ['jetton_transfer'] })
    await trace.finish()
    await everything.waitFor((data) => data.filter((d) => d.type === 'actions').length === 3)
    await finalizedOnly.waitFor((data) => data.length === 2)
    const finalTx = finalizedOnly.data[1] as {
      finality: string
      transactions: { account: string; lt: string }[]
    }
    expect(finalTx.finality).toBe('finalized')
    expect(finalTx.transactions.map((tx) => tx.account)).toEqual([a, a]) // wallet tx and the excess back
    const lts = finalTx.transactions.map((tx) => BigInt(tx.lt))
    expect(lts[0]! > lts[1]!).toBe(true)
    const txEvents = everything.data.filter((d) => d.type === 'transactions')
    expect(txEvents.map((d) => d.finality)).toEqual(['pending', 'confirmed', 'finalized'])
    for (const event of txEvents) {
      expect((event.transactions as { account: string }[]).every((tx) => tx.account === b)).toBe(true)
    }
    finalizedOnly.close()
    everything.close()
  })
})

describe('TON simulator — SSE session bookkeeping', () => {
  it('records the session with its subscription and request', async () => {
    const s = await start()
    const client = await openSse(
      s.toncenter.sseUrl,
      { types: ['actions'], addresses: [ACCOUNT.toLowerCase()], include_address_book: true },
      { ...KEY, 'x-actions-version': 'v1' },
    )
    const session = await s.nextSession()
    expect(session.transport).toBe('sse')
    expect(session.subscription).toMatchObject({
      addresses: [ACCOUNT],
      types: ['actions'],
      minFinality: 'finalized',
      includeAddressBook: true,
      supportedActionTypes: ['v1'],
    })
    expect(s.connections).toMatchObject({ active: 1, sse: 1, ws: 0 })
    client.close()
    await session.closed
    await sleep(5)
    expect(s.connections.active).toBe(0)
    expect(s.requests.at(-1)?.method).toBe('POST')
  })
})
