import { afterEach, describe, expect, it } from 'vitest'
import { formatTonAddress } from './address.js'
import { connectWs, fixture, sleep, type WsClient } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'

const A = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
const B = `0:${'AB'.repeat(32)}`

let sim: TonSimulator | undefined
const clients: WsClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate()
  await sim?.close()
  sim = undefined
})

const setup = async (maxAddresses = 1000) => {
  sim = await createTonSimulator({ keys: { k1: { maxConnections: 5, maxAddresses } }, lingerMs: 0 })
  const client = await connectWs(sim.toncenter.wsUrl, { 'x-api-key': 'k1' })
  clients.push(client)
  return { s: sim, client }
}

describe('TON simulator — WebSocket operations', () => {
  it('acknowledges subscribe and ping exactly like the captured frames', async () => {
    const { client } = await setup()
    await client.request({ operation: 'subscribe', id: 'sync-1', types: ['transactions'], addresses: [A] })
    await client.request({ operation: 'ping', id: 'ping-1' })
    expect(client.raw).toEqual([fixture('ws-subscribed-ack.json').trim(), fixture('ws-pong.json').trim()])
  })

  it('rejects a numeric id or a non-JSON text as an invalid envelope, without an id', async () => {
    const { client } = await setup()
    client.send({ operation: 'ping', id: 3 })
    client.send('hello')
    await client.next(() => client.raw.length === 2)
    expect(client.messages).toEqual([
      {
        error:
          'invalid request envelope: json: cannot unmarshal number into Go struct field Envelope.id of type string',
      },
      { error: "invalid request envelope: invalid character 'h' looking for beginning of value" },
    ])
  })

  it('answers every documented error with the id', async () => {
    const { client } = await setup(2)
    const errorOf = async (message: Record<string, unknown>) => (await client.request(message)).error
    expect(await errorOf({ operation: 'subscribe', id: '1', addresses: [A] })).toBe('types are required')
    expect(
      await errorOf({ operation: 'subscribe', id: '2', types: ['trace_invalidated'], addresses: [A] }),
    ).toBe('invalid event type: trace_invalidated')
    expect(
      await errorOf({ operation: 'subscribe', id: '3', types: ['transactions'], addresses: ['EQnope'] }),
    ).toBe('invalid address: EQnope')
    expect(await errorOf({ operation: 'subscribe', id: '4', types: ['transactions'] })).toBe(
      'addresses are required',
    )
    expect(await errorOf({ operation: 'subscribe', id: '5', types: ['trace'] })).toBe(
      'trace_external_hash_norms are required for trace subscription',
    )
    expect(
      await errorOf({
        operation: 'subscribe',
        id: '6',
        types: ['transactions'],
        addresses: [A, B, `0:${'C'.repeat(64)}`],
      }),
    ).toBe('address limit exceeded: current 0 + new 3 > max 2')
    expect(
      await errorOf({
        operation: 'subscribe',
        id: '7',
        types: ['transactions'],
        addresses: [A],
        min_finality: 'x',
      }),
    ).toBe('invalid subscribe request: unknown finality state: x')
    expect(await errorOf({ operation: 'unsubscribe', id: '8' })).toBe(
      'addresses or trace_external_hash_norms are required',
    )
    expect(await errorOf({ operation: 'unsubscribe', id: '9', addresses: ['zz'] })).toBe(
      'invalid address: zz',
    )
    expect(await errorOf({ operation: 'replay', id: '10' })).toBe('unknown operation: replay')
    expect((await client.request({ operation: 'ping', id: '11' })).status).toBe('pong')
    expect(client.messages[0]).toEqual({ id: '1', error: 'types are required' })
  })

  it('starts with no subscription: nothing is delivered before subscribe', async () => {
    const { s, client } = await setup()
    await s.emitTrace({ addresses: [A, B] }).finish()
    await sleep(20)
    expect(client.messages).toEqual([])
  })

  it('subscribe replaces targets and types but keeps omitted min_finality, include_* and empty action filters', async () => {
    const { s, client } = await setup()
    const session = await s.nextSession()
    await client.request({
      operation: 'subscribe',
      id: 'a',
      types: ['transactions', 'actions'],
      addresses: [A],
      min_finality: 'pending',
      include_address_book: true,
      include_metadata: true,
      action_types: ['jetton_transfer'],
      supported_action_types: ['v1'],
    })
    await client.request({
      operation: 'subscribe',
      id: 'b',
      types: ['actions'],
      addresses: [formatTonAddress(B)],
      action_types: [],
    })
    expect(session.subscription).toEqual({
      addresses: [B],
      traceExternalHashNorms: [],
      types: ['actions'],
      minFinality: 'pending',
      actionTypes: ['jetton_transfer'],
      supportedActionTypes: ['v1'],
      includeAddressBook: true,
      includeMetadata: true,
    })
    await client.request({
      operation: 'subscribe',
      id: 'c',
      types: ['actions'],
      addresses: [B],
      min_finality: 'finalized',
      include_metadata: false,
    })
    expect(session.subscription).toMatchObject({
      minFinality: 'finalized',
      includeMetadata: false,
      includeAddressBook: true,
    })
  })

  it('the action filter applies until replaced by a non-empty one', async () => {
    const { s, client } = await setup()
    await client.request({
      operation: 'subscribe',
      id: 'a',
      types: ['actions'],
      addresses: [A],
      action_types: ['jetton_transfer'],
    })
    await client.request({ operation: 'subscribe', id: 'b', types: ['actions'], addresses: [A] })
    await s.emitTrace({ addresses: [A, B], actionTypes: ['ton_transfer'], stages: ['finalized'] }).finish()
    await s.emitTrace({ addresses: [A, B], actionTypes: ['jetton_transfer'], stages: ['finalized'] }).finish()
    const actions = await client.next((m) => m.type === 'actions')
    expect((actions.actions as { type: string }[]).map((a) => a.type)).toEqual(['jetton_transfer'])
    expect(client.messages.filter((m) => m.type === 'actions')).toHaveLength(1)
  })

  it('unsubscribe removes addresses and traces, never types', async () => {
    const { s, client } = await setup()
    const session = await s.nextSession()
    await client.request({
      operation: 'subscribe',
      id: 'a',
      types: ['transactions', 'trace'],
      addresses: [A, B],
      trace_external_hash_norms: ['h1', 'h2'],
    })
    expect(
      (
        await client.request({
          operation: 'unsubscribe',
          id: 'b',
          addresses: [A.toLowerCase()],
          trace_external_hash_norms: ['h1'],
        })
      ).status,
    ).toBe('unsubscribed')
    expect(session.subscription).toMatchObject({
      addresses: [B],
      traceExternalHashNorms: ['h2'],
      types: ['transactions', 'trace'],
    })
    await client.request({ operation: 'unsubscribe', id: 'c', addresses: [B] })
    expect(session.subscription.types).toEqual(['transactions', 'trace'])
  })

  it('delivers notifications as text frames, with the address book when asked', async () => {
    const { s, client } = await setup()
    await client.request({
      operation: 'subscribe',
      id: 'a',
      types: ['transactions'],
      addresses: [A],
      min_finality: 'confirmed',
      include_address_book: true,
    })
    await s.emitTrace({ addresses: [A, B] }).finish()
    const first = await client.next((m) => m.type === 'transactions')
    expect(first.finality).toBe('confirmed')
    expect(Object.keys(first.address_book as object)).toEqual([A, B].sort())
    expect((first.address_book as Record<string, { user_friendly: string }>)[A]?.user_friendly).toBe(
      formatTonAddress(A, { bounceable: false }),
    )
  })

  it('answers protocol pings', async () => {
    const { client } = await setup()
    const pong = new Promise<string>((resolve) =>
      client.socket.once('pong', (data) => resolve(data.toString())),
    )
    client.socket.ping('hi')
    expect(await pong).toBe('hi')
  })

  it('serves the TonAPI path with a Bearer key', async () => {
    const { s } = await setup()
    const tonapi = await connectWs(s.tonapi.wsUrl, { authorization: 'Bearer k1' })
    clients.push(tonapi)
    expect((await tonapi.request({ operation: 'ping', id: 'p' })).status).toBe('pong')
    expect((await s.nextSession()).flavour).toBe('toncenter')
    expect((await s.nextSession()).flavour).toBe('tonapi')
  })
})
