// WebSocket ingest through the TON provider (socket → ws → envelope check → per-trace finality gate →
// dispatch to a typed handler), against the ceiling: the same messages from the same server, read by a
// bare `ws` client that only JSON.parses them. Rounds alternate; medians are compared.
import { createToncenter } from '@chainstream/provider-toncenter'
import { createWsServer } from '@chainstream/testkit'
import WebSocket from 'ws'
import { transactionsFrame } from './frames.mjs'

const ACCOUNT = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'

async function serveFrames(server, frames) {
  server.handle((conn) => {
    conn.onMessage((text) => {
      const message = JSON.parse(text)
      if (message.operation === 'ping') conn.send({ id: message.id, status: 'pong' })
      if (message.operation !== 'subscribe') return
      conn.send({ id: message.id, status: 'subscribed' })
      for (const frame of frames) conn.send(frame)
    })
  })
}

async function viaProvider(baseUrl, expected) {
  const toncenter = createToncenter({ apiKey: 'bench-key', baseUrl })
  let received = 0
  let done
  const finished = new Promise((resolve) => {
    done = resolve
  })
  const start = performance.now()
  const stream = toncenter.stream({
    transport: 'websocket',
    types: ['transactions'],
    addresses: [ACCOUNT],
    minFinality: 'pending',
    recovery: 'off',
  })
  stream.on('transactions', () => {
    if (++received === expected) done()
  })
  await finished
  const seconds = (performance.now() - start) / 1000
  await stream.close()
  return expected / seconds
}

async function ceiling(url, expected) {
  const start = performance.now()
  const socket = new WebSocket(url)
  let received = 0
  await new Promise((resolve, reject) => {
    socket.on('open', () =>
      socket.send(
        JSON.stringify({ operation: 'subscribe', id: '1', types: ['transactions'], addresses: [ACCOUNT] }),
      ),
    )
    socket.on('message', (data) => {
      const value = JSON.parse(data.toString())
      if (value.type === 'transactions' && ++received === expected) resolve()
    })
    socket.on('error', reject)
  })
  const seconds = (performance.now() - start) / 1000
  socket.close()
  return expected / seconds
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export async function wsIngest({ events = 40_000, size = 1024, rounds = 5 } = {}) {
  const server = await createWsServer()
  const frames = Array.from({ length: events }, (_, i) => transactionsFrame(i, size))
  await serveFrames(server, frames)
  await viaProvider(server.url, events) // warm-up both paths (JIT)
  await ceiling(server.url, events)
  const provider = []
  const base = []
  for (let i = 0; i < rounds; i++) {
    provider.push(await viaProvider(server.url, events))
    base.push(await ceiling(server.url, events))
  }
  await server.close()
  const value = median(provider)
  const baseline = median(base)
  return [
    {
      name: 'ws-ingest',
      unit: 'events/s',
      value: Math.round(value),
      baseline: Math.round(baseline),
      ratio: Number((value / baseline).toFixed(3)),
    },
  ]
}
