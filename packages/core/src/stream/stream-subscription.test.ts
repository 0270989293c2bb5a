import {
  createSseServer,
  createWsServer,
  type SseServer,
  trackTimers,
  type WsServer,
} from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import type { Decoded, InboundFrame, StreamProviderV1 } from '../provider/provider-v1.js'
import { sseTransport } from '../sse/sse-stream-transport.js'
import { webSocketTransport } from '../websocket/websocket-stream-transport.js'
import { createStreamEngine } from './stream-engine.js'
import type { ChainStream } from './stream-types.js'

/** The engine owns the subscription: tests of `update()`, the acknowledgement and what it orders. */

type Topics = readonly string[]
interface Note {
  n: number
}

const until = async (predicate: () => boolean, timeoutMs = 5_000) => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * A provider whose subscription is a list of topics: SSE sends them in the body and waits for
 * `event: connected`; WebSocket sends `{"op":"subscribe","id","topics"}` (which replaces the set) and
 * waits for its response.
 */
function topicProvider(url: string, transport: 'sse' | 'websocket'): StreamProviderV1<Note, Topics> {
  let next = 0
  return {
    specificationVersion: 'v1',
    providerId: 'topics',
    transports: { sse: sseTransport, websocket: webSocketTransport },
    open: (_context, topics) =>
      transport === 'sse'
        ? { transport: 'sse', url, method: 'POST', body: { topics } }
        : { transport: 'websocket', url },
    subscribe: (topics) => {
      if (transport === 'sse') return { kind: 'ack' }
      const id = `sub-${++next}`
      return { kind: 'requests', requests: [{ id, data: JSON.stringify({ op: 'subscribe', id, topics }) }] }
    },
    change: (_from, to) => {
      if (transport === 'sse') return { kind: 'reconnect', reason: 'topics changed' }
      const id = `sub-${++next}`
      return {
        kind: 'requests',
        requests: [{ id, data: JSON.stringify({ op: 'subscribe', id, topics: to }) }],
      }
    },
    decode(frame: InboundFrame): Decoded<Note> {
      const text = frame.transport === 'sse' ? frame.message.data : frame.data
      const value = JSON.parse(text) as Record<string, unknown>
      if (frame.transport === 'sse' && frame.message.event === 'connected') return { kind: 'subscribed' }
      if (typeof value.id === 'string') {
        return typeof value.error === 'string'
          ? {
              kind: 'response',
              id: value.id,
              error: new ChainstreamError('InvalidSubscription', value.error, { isRetryable: false }),
            }
          : { kind: 'response', id: value.id, data: value }
      }
      return { kind: 'event', event: { n: value.n as number } }
    },
  }
}

const subscribes = (messages: readonly string[]) =>
  messages
    .map((m) => JSON.parse(m) as { op: string; id: string; topics: string[] })
    .filter((m) => m.op === 'subscribe')

describe('the engine owns the subscription', () => {
  let sse: SseServer | undefined
  let ws: WsServer | undefined
  const streams: ChainStream<Note, Topics>[] = []
  const open = (provider: StreamProviderV1<Note, Topics>, topics: Topics, extra = {}) => {
    const stream = createStreamEngine<Note, Topics>({
      provider,
      subscription: topics,
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
      ...extra,
    })
    streams.push(stream)
    return stream
  }
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()))
    await sse?.close()
    await ws?.close()
    sse = undefined
    ws = undefined
  })

  it('SSE: says subscribed before it delivers an event that arrived in the same write as the acknowledgement', async () => {
    sse = await createSseServer()
    sse.handle((conn) => {
      conn.open()
      // One write: the acknowledgement and two events behind it.
      conn.send('event: connected\ndata: {"status":"subscribed"}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\n')
    })
    const stream = open(topicProvider(`${sse.url}/s`, 'sse'), ['a'])
    const order: string[] = []
    stream.on('state', (state) => order.push(`state:${state}`))
    stream.on('event', (event) => order.push(`event:${event.n} while ${stream.state}`))
    await until(() => order.length >= 4)
    expect(order).toEqual([
      'state:connecting',
      'state:subscribed',
      'event:1 while subscribed',
      'event:2 while subscribed',
    ])
  })

  it('WebSocket: says subscribed before it delivers a notification that shares the write of the ack', async () => {
    ws = await createWsServer()
    ws.handle(async (conn) => {
      const message = JSON.parse(await conn.nextMessage()) as { id: string }
      conn.sendTogether([{ id: message.id, status: 'subscribed' }, { n: 1 }])
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    const seen: string[] = []
    stream.on('event', (event) => seen.push(`${event.n} while ${stream.state}`))
    await until(() => seen.length === 1)
    expect(seen).toEqual(['1 while subscribed'])
  })

  it('update() called from the handler of the first event is sent once and settles', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { id: string; topics: string[] }
        if (message.topics.length === 1)
          conn.sendTogether([{ id: message.id, status: 'subscribed' }, { n: 1 }])
        else conn.send({ id: message.id, status: 'subscribed' })
      })
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    let applied: Promise<void> | undefined
    stream.on('event', () => {
      applied ??= stream.update((topics) => [...topics, 'b'])
    })
    await until(() => applied !== undefined)
    await expect(applied).resolves.toBeUndefined()
    const conn = ws.connections[0]
    expect(subscribes(conn?.messages ?? []).map((m) => m.topics)).toEqual([['a'], ['a', 'b']])
    expect(stream.subscription).toEqual(['a', 'b'])
  })

  it("a live change counts as applied (the 'applied' event) before an event behind its answer is delivered", async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { id: string; topics: string[] }
        const ack = { id: message.id, status: 'subscribed' }
        if (message.topics.includes('b')) conn.sendTogether([ack, { n: 7 }])
        else conn.send(ack)
      })
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    const order: string[] = []
    stream.on('applied', (topics) => order.push(`applied:${topics.join('+')}`))
    stream.on('event', (event) => order.push(`event:${event.n}`))
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await stream.update((t) => [...t, 'b'])
    await until(() => order.includes('event:7'))
    expect(order).toEqual(['applied:a', 'applied:a+b', 'event:7'])
  })

  it('applies updates made before the first connection, while connecting and concurrently, each exactly once', async () => {
    ws = await createWsServer()
    const acks: Array<() => void> = []
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { id: string }
        // The first subscribe is answered only when the test says so: updates pile up meanwhile.
        const answer = () => conn.send({ id: message.id, status: 'subscribed' })
        if (acks.length === 0 && subscribes(conn.messages).length === 1) acks.push(answer)
        else answer()
      })
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'], { autoStart: false })
    const before = stream.update((t) => [...t, 'b'])
    stream.start()
    await until(() => acks.length === 1)
    const during1 = stream.update((t) => [...t, 'c'])
    const during2 = stream.update((t) => [...t, 'd'])
    acks[0]?.()
    await Promise.all([before, during1, during2])
    const sent = subscribes(ws.connections[0]?.messages ?? []).map((m) => m.topics)
    // The connection opened with a+b; the two later changes went out as one replace (the latest wins).
    expect(sent).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c', 'd'],
    ])
    const concurrent = await Promise.all([
      stream.update((t) => [...t, 'e']),
      stream.update((t) => t.filter((x) => x !== 'a')),
    ])
    expect(concurrent).toEqual([undefined, undefined])
    expect(stream.subscription).toEqual(['b', 'c', 'd', 'e'])
    expect(subscribes(ws.connections[0]?.messages ?? []).at(-1)?.topics).toEqual(['b', 'c', 'd', 'e'])
  })

  it('an update during a reconnect settles when the next connection has it', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) =>
        conn.send({ id: (JSON.parse(text) as { id: string }).id, status: 'subscribed' }),
      )
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    let applied: Promise<void> | undefined
    stream.on('state', (state) => {
      if (state === 'reconnecting') applied ??= stream.update(() => ['x'])
    })
    ws.connections[0]?.terminate()
    await until(() => applied !== undefined)
    await applied
    expect(stream.state).toBe('subscribed')
    expect(subscribes(ws.connections[1]?.messages ?? []).map((m) => m.topics)).toEqual([['x']])
  })

  it('SSE: an update re-opens the request with the new body; several at once cause one re-open', async () => {
    sse = await createSseServer()
    sse.handle((conn) => {
      conn.open()
      conn.event({ event: 'connected', data: '{"status":"subscribed"}' })
    })
    const stream = open(topicProvider(`${sse.url}/s`, 'sse'), ['a'])
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await Promise.all([stream.update((t) => [...t, 'b']), stream.update((t) => [...t, 'c'])])
    const bodies = sse.requests.map((r) => (JSON.parse(r.body) as { topics: string[] }).topics)
    expect(bodies.at(-1)).toEqual(['a', 'b', 'c'])
    expect(bodies.length).toBeLessThanOrEqual(3)
  })

  it('a refused change rejects with the server error, and the subscription stays what the server has', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) => {
        const message = JSON.parse(text) as { id: string; topics: string[] }
        if (message.topics.includes('bad')) conn.send({ id: message.id, error: 'invalid topic: bad' })
        else conn.send({ id: message.id, status: 'subscribed' })
      })
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    const refused = await stream.update((t) => [...t, 'bad']).catch((error: unknown) => error)
    expect(isChainstreamError(refused, 'InvalidSubscription')).toBe(true)
    expect(stream.subscription).toEqual(['a'])
    expect(stream.state).toBe('subscribed')
    await stream.update((t) => [...t, 'ok'])
    expect(stream.subscription).toEqual(['a', 'ok'])
  })

  it('a change that throws is refused before anything is sent, and update() after close() rejects', async () => {
    ws = await createWsServer()
    ws.handle((conn) => {
      conn.onMessage((text) =>
        conn.send({ id: (JSON.parse(text) as { id: string }).id, status: 'subscribed' }),
      )
    })
    const stream = open(topicProvider(ws.url, 'websocket'), ['a'])
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await expect(
      stream.update(() => {
        throw new ChainstreamError('InvalidArgument', 'no')
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(subscribes(ws.connections[0]?.messages ?? [])).toHaveLength(1)
    const pending = stream.update((t) => [...t, 'b'])
    await stream.close()
    await pending.catch(() => {})
    await expect(stream.update((t) => t)).rejects.toMatchObject({ code: 'Closed' })
  })

  it('close() while the acknowledgement is outstanding leaves no timer behind', async () => {
    const timers = trackTimers('stream/connection.ts', 'stream/stream-engine.ts')
    try {
      ws = await createWsServer()
      ws.handle(() => {}) // never acknowledges
      const stream = open(topicProvider(ws.url, 'websocket'), ['a'], { subscribeTimeoutMs: 60_000 })
      await until(() => (ws?.connections[0]?.messages.length ?? 0) === 1)
      expect(timers.created()).toBeGreaterThan(0)
      await stream.close()
      expect(await timers.live()).toBe(0)
    } finally {
      timers.stop()
    }
  })
})
