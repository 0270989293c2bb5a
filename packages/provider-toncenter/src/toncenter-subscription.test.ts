import { isChainstreamError } from '@chainstream/core'
import { createWsServer, type TonSession, type TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { toUserFriendly } from './protocol/address.js'
import { FAST_RECONNECT, record, settle, simulatorHarness, until } from './simulator.test-helper.js'
import type { TonEvent } from './ton-event.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const toncenterFor = (sim: TonSimulator) =>
  createToncenter({ apiKey: 'sub-key-0001', baseUrl: sim.toncenter.baseUrl })

/** The JSON messages of one kind a WebSocket session received. */
function received(session: TonSession, operation: string): Record<string, unknown>[] {
  return session.received
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((message) => message.operation === operation)
}

/** Accounts of `transactions` events seen so far. */
function accountsSeen(events: TonEvent[]): Set<string> {
  const out = new Set<string>()
  for (const event of events) {
    if (event.type === 'transactions') for (const tx of event.transactions) out.add(tx.account)
  }
  return out
}

describe('dynamic subscription over WebSocket', () => {
  it('updates in place with replace semantics and always sends min_finality explicitly', async () => {
    const sim = await harness.start()
    const [a, b, c] = sim.addresses as [string, string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        minFinality: 'confirmed',
      }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await stream.update({ addresses: [a, toUserFriendly(b)] })
    const session = sim.sessions[0]!
    const subscribes = received(session, 'subscribe')
    expect(subscribes).toHaveLength(2)
    expect(subscribes[1]).toMatchObject({
      addresses: [a, b],
      min_finality: 'confirmed',
      types: ['transactions'],
    })
    expect([...session.subscription.addresses].sort()).toEqual([a, b].sort())
    expect(stream.subscription.addresses).toEqual([a, b])
    expect(sim.sessions).toHaveLength(1)

    const seen = record(stream)
    await sim.emitTrace({ addresses: [b, c] }).finish()
    await until(() => accountsSeen(seen.events).has(b))
  })

  it('sends the current subscription, with every dynamic change, after a reconnect', async () => {
    const sim = await harness.start()
    const [a, b, c] = sim.addresses as [string, string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        minFinality: 'finalized',
        reconnect: FAST_RECONNECT,
        recovery: 'off',
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await stream.update({ addresses: [a, b, c], minFinality: 'confirmed' })
    await stream.unsubscribe({ addresses: [c] })
    expect(received(sim.sessions[0]!, 'unsubscribe')).toEqual([
      { operation: 'unsubscribe', id: expect.any(String), addresses: [c] },
    ])
    sim.dropConnections()
    await until(() => sim.sessions.length === 2 && stream.state === 'subscribed')
    const resubscribe = received(sim.sessions[1]!, 'subscribe')
    expect(resubscribe).toHaveLength(1)
    expect(resubscribe[0]).toMatchObject({
      addresses: [a, b],
      min_finality: 'confirmed',
      types: ['transactions'],
    })
    await sim.emitTrace({ addresses: [b, c] }).finish()
    await until(() => accountsSeen(seen.events).has(b))
    expect(accountsSeen(seen.events).has(c)).toBe(false)
    expect(
      seen.events.filter((e) => e.type === 'transactions').map((e) => (e as { finality: string }).finality),
    ).toEqual(['confirmed', 'finalized'])
  })

  it('clears an action filter through a transparent reconnect (the server cannot clear it in place)', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'websocket',
        types: ['actions'],
        addresses: [a],
        actionTypes: ['jetton_transfer'],
        reconnect: FAST_RECONNECT,
      }),
    )
    const seen = record(stream)
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    expect(received(sim.sessions[0]!, 'subscribe')[0]).toMatchObject({ action_types: ['jetton_transfer'] })
    await stream.update({ actionTypes: ['nft_mint'] })
    expect(sim.sessions).toHaveLength(1)
    await stream.update({ actionTypes: [] })
    expect(sim.sessions).toHaveLength(2)
    const fresh = received(sim.sessions[1]!, 'subscribe')
    expect(fresh[0]).not.toHaveProperty('action_types')
    expect(sim.sessions[1]!.subscription.actionTypes).toEqual([])
    await sim.emitTrace({ addresses: [a, b], actionTypes: ['ton_transfer'] }).finish()
    await until(() => seen.events.some((e) => e.type === 'actions'))
    expect(seen.errors).toEqual([])
  })

  it('rejects an update the client-side rules refuse, keeping the old subscription', async () => {
    const sim = await harness.start()
    const [a] = sim.addresses as [string]
    const stream = harness.track(
      toncenterFor(sim).stream({ transport: 'websocket', types: ['transactions'], addresses: [a] }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await expect(stream.update({ addresses: [] })).rejects.toSatisfy((e) =>
      isChainstreamError(e, 'InvalidSubscription'),
    )
    await expect(stream.update({ addresses: ['nope'] })).rejects.toSatisfy((e) =>
      isChainstreamError(e, 'InvalidArgument'),
    )
    await expect(stream.unsubscribe({})).rejects.toThrow(
      /unsubscribe needs addresses or traceExternalHashNorms/,
    )
    expect(stream.subscription.addresses).toEqual([a])
    expect(received(sim.sessions[0]!, 'subscribe')).toHaveLength(1)
  })

  it('may unsubscribe everything and subscribe again later, across a reconnect', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        reconnect: FAST_RECONNECT,
      }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await stream.unsubscribe({ addresses: [a] })
    sim.dropConnections()
    await until(() => sim.sessions.length === 2 && stream.state === 'subscribed')
    expect(received(sim.sessions[1]!, 'subscribe')).toEqual([])
    await stream.update({ addresses: [b] })
    expect(received(sim.sessions[1]!, 'subscribe')[0]).toMatchObject({ addresses: [b] })
  })
})

describe('dynamic subscription while connecting', () => {
  it('sends a change made while the first subscribe is in flight right after its acknowledgement', async () => {
    const server = await createWsServer()
    const [a, b] = ['0:' + 'A'.repeat(64), '0:' + 'B'.repeat(64)]
    try {
      server.handle((conn) => {
        conn.onMessage((text) => {
          const message = JSON.parse(text) as { id: string; operation: string }
          // A slow acknowledgement leaves room for a change.
          if (message.operation === 'subscribe')
            setTimeout(() => conn.send({ id: message.id, status: 'subscribed' }), 80)
        })
      })
      const stream = harness.track(
        createToncenter({ apiKey: 'race-key-0001', baseUrl: server.url.replace('ws:', 'http:') }).stream({
          transport: 'websocket',
          types: ['transactions'],
          addresses: [a],
          recovery: 'off',
        }),
      )
      const connection = await server.nextConnection()
      await until(() => connection.messages.length === 1)
      await stream.update({ addresses: [a, b] })
      const subscribes = connection.messages.map((text) => JSON.parse(text) as { addresses: string[] })
      expect(subscribes.map((m) => m.addresses)).toEqual([[a], [a, b]])
      expect(server.connectionCount).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('applies changes made before the stream starts on its first subscribe', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'websocket',
        types: ['transactions'],
        addresses: [a],
        autoStart: false,
      }),
    )
    const applied = stream.update({ addresses: [b] })
    stream.start()
    await applied
    expect(received(sim.sessions[0]!, 'subscribe').map((m) => m.addresses)).toEqual([[b]])
  })
})

describe('dynamic subscription over SSE', () => {
  it('re-opens the request with the new body on update, and the change survives later reconnects', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [a],
        reconnect: FAST_RECONNECT,
      }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await stream.update({ addresses: [b], minFinality: 'pending' })
    expect(sim.sessions).toHaveLength(2)
    expect(JSON.parse(sim.sessions[1]!.request.body)).toMatchObject({
      addresses: [b],
      min_finality: 'pending',
    })
    sim.dropConnections()
    await until(() => sim.sessions.length === 3 && stream.state === 'subscribed')
    expect(JSON.parse(sim.sessions[2]!.request.body)).toMatchObject({
      addresses: [b],
      min_finality: 'pending',
    })
  })

  it('refuses an unsubscribe that would leave an SSE stream with nothing to stream', async () => {
    const sim = await harness.start()
    const [a] = sim.addresses as [string]
    const stream = harness.track(
      toncenterFor(sim).stream({ transport: 'sse', types: ['transactions'], addresses: [a] }),
    )
    await stream.waitSubscribed({ timeoutMs: 5_000 })
    await expect(stream.unsubscribe({ addresses: [a] })).rejects.toThrow(/close\(\) the stream instead/)
    await settle(20)
    expect(sim.sessions).toHaveLength(1)
  })

  it('rejects a pending update when the stream is closed', async () => {
    const sim = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    sim.failNext({ status: 503, on: 'stream', times: 1000 })
    const stream = harness.track(
      toncenterFor(sim).stream({
        transport: 'sse',
        types: ['transactions'],
        addresses: [a],
        reconnect: FAST_RECONNECT,
      }),
    )
    const update = stream.update({ addresses: [b] })
    // Handled from the start: close() rejects it and may take longer than a tick (the upstream is between
    // retries), which would otherwise report the rejection as unhandled before the assertion sees it.
    const rejected = expect(update).rejects.toSatisfy((e) => isChainstreamError(e, 'Closed'))
    await settle(30)
    await stream.close()
    await rejected
  })
})
