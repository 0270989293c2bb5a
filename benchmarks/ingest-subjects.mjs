// The three ways to read a TON stream that the ingest benchmarks compare, each over SSE and WebSocket:
// - `bare`: the floor a hand-written client cannot go below — the HTTP client chainstream uses (undici)
//   split on blank lines + JSON.parse; for WebSocket `ws` + JSON.parse. No checks, no bookkeeping.
// - `parser-zod`: what a careful user would write instead of chainstream: `eventsource-parser` for the
//   SSE framing and a zod schema for the envelope (the same fields chainstream checks).
// - `chainstream`: the public API, `createToncenter(...).stream(...)` with its defaults (recovery on).
// Each counts the notifications of the scenario's type through `counter.hit()`.
import { StringDecoder } from 'node:string_decoder'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createParser } from 'eventsource-parser'
import { request } from 'undici'
import WebSocket from 'ws'
import { z } from 'zod'

export const ACCOUNT = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'
const SSE_PATH = '/api/streaming/v2/sse'
const WS_PATH = '/api/streaming/v2/ws'

/** The wire subscription of a scenario (the servers ignore it; the clients send it as they would). */
const wireSubscription = ({ kind, hashes }) =>
  kind === 'trace'
    ? { types: ['trace'], trace_external_hash_norms: hashes, min_finality: 'pending' }
    : { types: [kind], addresses: [ACCOUNT], min_finality: 'pending' }

async function openSse(spec, events) {
  const response = await request(`${spec.httpUrl}${SSE_PATH}`, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'x-api-key': 'bench-key',
      'x-bench-events': String(events),
    },
    body: JSON.stringify(wireSubscription(spec)),
    headersTimeout: 0,
    bodyTimeout: 0,
  })
  if (response.statusCode !== 200) throw new Error(`SSE answered ${response.statusCode}`)
  return response.body
}

function openWs(spec, events, onMessage) {
  const socket = new WebSocket(`${spec.wsUrl}${WS_PATH}`, {
    headers: { 'x-api-key': 'bench-key', 'x-bench-events': String(events) },
  })
  socket.on('open', () =>
    socket.send(JSON.stringify({ operation: 'subscribe', id: '1', ...wireSubscription(spec) })),
  )
  socket.on('message', onMessage)
  return socket
}

// ---------------------------------------------------------------------------------------------------
// bare

async function bareSse(spec, events, counter) {
  const body = await openSse(spec, events)
  const decoder = new StringDecoder('utf8')
  let rest = ''
  body.on('data', (chunk) => {
    rest += decoder.write(chunk)
    let from = 0
    let end = rest.indexOf('\n\n')
    while (end !== -1) {
      const dataAt = rest.indexOf('data: ', from)
      const value = JSON.parse(rest.slice(dataAt + 6, end))
      if (value.type === spec.kind) counter.hit()
      from = end + 2
      end = rest.indexOf('\n\n', from)
    }
    rest = rest.slice(from)
  })
  await counter.done
  body.destroy()
}

async function bareWs(spec, events, counter) {
  const socket = openWs(spec, events, (data) => {
    const value = JSON.parse(data.toString())
    if (value.type === spec.kind) counter.hit()
  })
  await counter.done
  socket.terminate()
}

// ---------------------------------------------------------------------------------------------------
// eventsource-parser + zod

const finality = z.enum(['pending', 'confirmed', 'finalized'])
const transaction = z.looseObject({ account: z.string(), hash: z.string(), lt: z.string() })
const response = z.looseObject({ id: z.string().optional(), status: z.string() })
const notification = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('transactions'),
    finality,
    trace_external_hash_norm: z.string().min(1),
    transactions: z.array(transaction),
  }),
  z.looseObject({
    type: z.literal('trace'),
    finality,
    trace_external_hash_norm: z.string().min(1),
    trace: z.looseObject({}),
    transactions: z.record(z.string(), transaction),
  }),
])

function handleZod(spec, counter, text) {
  const value = JSON.parse(text)
  if ('status' in value) return response.parse(value)
  if (notification.parse(value).type === spec.kind) counter.hit()
}

async function parserZodSse(spec, events, counter) {
  const body = await openSse(spec, events)
  const parser = createParser({ onEvent: (message) => handleZod(spec, counter, message.data) })
  const decoder = new TextDecoder()
  body.on('data', (chunk) => parser.feed(decoder.decode(chunk, { stream: true })))
  await counter.done
  body.destroy()
}

async function parserZodWs(spec, events, counter) {
  const socket = openWs(spec, events, (data) => handleZod(spec, counter, data.toString()))
  await counter.done
  socket.terminate()
}

// ---------------------------------------------------------------------------------------------------
// chainstream

async function chainstream(spec, events, counter) {
  const toncenter = createToncenter({
    apiKey: 'bench-key',
    baseUrl: spec.transport === 'sse' ? spec.httpUrl : spec.wsUrl,
    v3BaseUrl: `${spec.httpUrl}/api/v3`,
    headers: { 'x-bench-events': String(events) },
  })
  const stream = toncenter.stream({
    transport: spec.transport === 'sse' ? 'sse' : 'websocket',
    types: [spec.kind],
    minFinality: 'pending',
    // A trace subscription's recovery would look its traces up in API v3 (which this server leaves empty).
    ...(spec.kind === 'trace'
      ? { traceExternalHashNorms: spec.hashes, recovery: 'off' }
      : { addresses: [ACCOUNT] }),
    // For profiling variants by hand (`recovery: 'off'`, …); the scenarios pass none.
    ...spec.streamOptions,
  })
  stream.on(spec.kind, () => counter.hit())
  stream.on('error', (error) => counter.fail(error))
  await counter.done
  await stream.close()
  await toncenter.close()
}

/** subject → transport → run(spec, events, counter). */
export const SUBJECTS = {
  bare: { sse: bareSse, ws: bareWs },
  'parser-zod': { sse: parserZodSse, ws: parserZodWs },
  chainstream: { sse: chainstream, ws: chainstream },
}
