// The cost of metrics on the hot path: TON events over WebSocket through the provider into a typed
// handler, with the stream recorded by `instrumentStream` on a real OpenTelemetry SDK meter that is
// collected every 50 ms (a scrape far more often than any Prometheus would) — against the same stream
// without metrics, from the same server in the same run. Rounds alternate; medians are compared.
import { instrumentStream } from '@chainstream/core/opentelemetry'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createWsServer } from '@chainstream/testkit'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { transactionsFrame } from './frames.mjs'

const ACCOUNT = '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615'

class PullReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

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

/** Events/s of one stream; with `metered`, the stream is instrumented and the meter collected meanwhile. */
async function run(baseUrl, expected, metered) {
  const toncenter = createToncenter({ apiKey: 'bench-key', baseUrl })
  const reader = new PullReader()
  const provider = new MeterProvider({ readers: [reader] })
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
  let scrapes
  if (metered) {
    instrumentStream(stream, { meter: provider.getMeter('bench'), name: 'bench', system: 'toncenter' })
    scrapes = setInterval(() => void reader.collect(), 50)
  }
  stream.on('transactions', () => {
    if (++received === expected) done()
  })
  await finished
  const seconds = (performance.now() - start) / 1000
  clearInterval(scrapes)
  if (metered) {
    // The metrics saw what the handler saw.
    const { resourceMetrics } = await reader.collect()
    const delivered = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'chainstream.stream.events.delivered')
      ?.dataPoints[0]?.value
    if (delivered !== expected) throw new Error(`metrics counted ${delivered} of ${expected} events`)
  }
  await stream.close()
  await toncenter.close()
  await provider.shutdown()
  return expected / seconds
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export async function otelOverhead({ events = 40_000, size = 1024, rounds = 5 } = {}) {
  const server = await createWsServer()
  await serveFrames(
    server,
    Array.from({ length: events }, (_, i) => transactionsFrame(i, size)),
  )
  await run(server.url, events, true) // warm-up both paths (JIT)
  await run(server.url, events, false)
  const metered = []
  const plain = []
  for (let i = 0; i < rounds; i++) {
    metered.push(await run(server.url, events, true))
    plain.push(await run(server.url, events, false))
  }
  await server.close()
  const value = median(metered)
  const baseline = median(plain)
  const spread = (values) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`
  process.stdout.write(
    `  otel-overhead: metered ${spread(metered)} events/s, plain ${spread(plain)} events/s\n`,
  )
  return [
    {
      name: 'otel-overhead',
      unit: 'events/s',
      value: Math.round(value),
      baseline: Math.round(baseline),
      ratio: Number((value / baseline).toFixed(3)),
    },
  ]
}
