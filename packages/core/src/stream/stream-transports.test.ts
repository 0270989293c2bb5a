import { createSseServer, createWsServer, type SseServer, type WsServer } from '@chainstream/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StreamTransport } from '../provider/stream-transport.js'
import { sseTransport } from '../sse/sse-stream-transport.js'
import { jsonTestProvider, type TestEvent } from './json-test-provider.test-helper.js'
import { createStreamEngine } from './stream-engine.js'
import type { ChainStream } from './stream-types.js'

/** The engine opens connections only through the transports its provider lists. */

describe('stream engine transports', () => {
  let sse: SseServer
  let ws: WsServer
  const streams: ChainStream<TestEvent>[] = []
  beforeEach(async () => {
    sse = await createSseServer()
    ws = await createWsServer()
  })
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()))
    await Promise.all([sse.close(), ws.close()])
  })

  it('opens each connection with the transport the provider lists for its kind', async () => {
    sse.handle((conn) => {
      conn.open()
      conn.event({ event: 'connected', data: '{"status":"subscribed"}' })
      conn.event({ data: '{"n":1}' })
    })
    const opened: string[] = []
    const counting: StreamTransport<Parameters<typeof sseTransport.open>[0]> = {
      open(request, context) {
        opened.push(request.url)
        return sseTransport.open(request, context)
      },
    }
    const provider = { ...jsonTestProvider({ url: sse.url }), transports: { sse: counting } }
    const stream = createStreamEngine<TestEvent>({ provider })
    streams.push(stream)
    const events: TestEvent[] = []
    stream.on('event', (event) => events.push(event))
    await stream.waitSubscribed({ timeoutMs: 2_000 })
    await expect.poll(() => events).toEqual([{ n: 1 }])
    expect(opened).toEqual([sse.url])
  })

  it('fails the stream, without retrying, when the provider lists no transport for the kind it asks for', async () => {
    const provider = {
      ...jsonTestProvider({ url: ws.url, transport: 'websocket' }),
      transports: { sse: sseTransport },
    }
    const stream = createStreamEngine<TestEvent>({ provider, reconnect: { initialDelayMs: 5 } })
    streams.push(stream)
    const error = await stream.closed
    expect(error?.code).toBe('InvalidArgument')
    expect(error?.message).toBe(
      'The provider json-test asked for a websocket connection but its transports have no websocket entry',
    )
    expect(stream.counters.reconnects).toBe(0)
    expect(ws.upgrades).toHaveLength(0)
  })
})
