// SSE ingest through the core (socket → WHATWG parser → JSON.parse → dispatch to a callback), against the
// ceiling: the same bytes from the same server, read with the same HTTP client, only split on blank lines
// and JSON.parse'd. Both runs alternate, several rounds, and the medians are compared.

import { createStreamEngine, sseTransport } from '@chainstream/core/provider'
import { createSseServer } from '@chainstream/testkit'
import { request } from 'undici'
import { blockData, forEachSseBlock } from './bare-sse.mjs'
import { sseBody } from './frames.mjs'

const CHUNK = 64 * 1024

async function serveBody(server, body) {
  server.handle(async (conn) => {
    conn.open()
    for (let offset = 0; offset < body.length && !conn.isClosed; offset += CHUNK) {
      if (!conn.send(body.subarray(offset, offset + CHUNK))) await conn.drain()
    }
    conn.end()
  })
}

/** The minimal provider a real one reduces to on this path: one JSON.parse per event. */
const jsonProvider = (url) => ({
  specificationVersion: 'v1',
  providerId: 'bench',
  transports: { sse: sseTransport },
  open: () => ({ transport: 'sse', url, method: 'POST', body: { types: ['transactions'] } }),
  // The server acknowledges by itself (its `connected` frame decodes as `subscribed`).
  subscribe: () => ({ kind: 'ack' }),
  decode: (frame) => {
    const value = JSON.parse(frame.message.data)
    return value.status === 'subscribed' ? { kind: 'subscribed' } : { kind: 'event', event: value }
  },
  isComplete: () => true,
})

async function viaCore(url, expected) {
  let received = 0
  const start = performance.now()
  const stream = createStreamEngine({ provider: jsonProvider(url), reconnect: false })
  stream.on('event', (event) => {
    if (event.type === 'transactions') received++
  })
  const error = await stream.closed
  if (error) throw error
  const seconds = (performance.now() - start) / 1000
  if (received !== expected) throw new Error(`core received ${received} of ${expected} events`)
  return expected / seconds
}

async function ceiling(url, expected) {
  let received = 0
  const start = performance.now()
  const response = await request(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: '{"types":["transactions"]}',
  })
  await forEachSseBlock(response.body, (block) => {
    if (blockData(block).type === 'transactions') received++
  })
  const seconds = (performance.now() - start) / 1000
  if (received !== expected) throw new Error(`ceiling received ${received} of ${expected} events`)
  return expected / seconds
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export async function sseIngest({ events = 40_000, size = 1024, rounds = 5 } = {}) {
  const server = await createSseServer()
  const body = sseBody(events, size)
  await serveBody(server, body)
  const url = `${server.url}/api/streaming/v2/sse`
  await viaCore(url, events) // warm-up both paths (JIT)
  await ceiling(url, events)
  const core = []
  const base = []
  for (let i = 0; i < rounds; i++) {
    core.push(await viaCore(url, events))
    base.push(await ceiling(url, events))
  }
  await server.close()
  const value = median(core)
  const baseline = median(base)
  return [
    {
      name: 'sse-ingest',
      unit: 'events/s',
      value: Math.round(value),
      baseline: Math.round(baseline),
      ratio: Number((value / baseline).toFixed(3)),
    },
  ]
}
