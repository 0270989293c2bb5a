// Metrics to Prometheus: a TON stream and a cross-chain tracker recorded with OpenTelemetry
// (`@chainstream/core/opentelemetry`) and served in Prometheus' text format by the OpenTelemetry
// Prometheus exporter. Runs on the local simulators (no keys, no network).
//
//   pnpm build && node examples/metrics-prometheus.mjs
//   curl -s http://127.0.0.1:9464/metrics | grep ^chainstream_
//
// PORT picks the port (0: any free one; the address is printed), RUN_MS stops it after that long
// (default: until Ctrl-C). A Prometheus scrape config for it:
//   scrape_configs: [{ job_name: chainstream, static_configs: [{ targets: ['127.0.0.1:9464'] }] }]
import { createServer } from 'node:http'
import { createTracker } from '@chainstream/core'
import { instrumentStream, instrumentTracker } from '@chainstream/core/opentelemetry'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { createTonSimulator, createVenumSimulator, venumSignature } from '@chainstream/testkit'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

// The exporter is a pull reader: each scrape collects. It is served by our own HTTP server so that the
// port can be 0 (any free one) and its address printed.
const exporter = new PrometheusExporter({ preventServerStart: true })
const meterProvider = new MeterProvider({ readers: [exporter] })
const meter = meterProvider.getMeter('chainstream-example')
const server = createServer((request, response) => {
  if (request.url === '/metrics') exporter.getMetricsRequestHandler(request, response)
  else response.writeHead(404).end('see /metrics\n')
})
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 9464), '127.0.0.1', resolve))
console.log(`metrics at http://127.0.0.1:${server.address().port}/metrics`)

// Real services instead: createToncenter({ apiKey: process.env.TONCENTER_API_KEY }) and
// createVenum({ apiKey: process.env.VENUM_API_KEY }).
const ton = await createTonSimulator({ keepaliveMs: 1_000 })
const solana = await createVenumSimulator({ seed: 5, record: false })
const toncenter = createToncenter({ apiKey: 'simulator', baseUrl: ton.toncenter.baseUrl })
const venum = createVenum({ apiKey: solana.apiKey, baseUrl: solana.url })

// The names label the series; addresses, signatures and trace hashes never do.
const stream = toncenter.stream({
  transport: 'websocket',
  types: ['transactions', 'actions'],
  addresses: ton.addresses.slice(0, 4),
  minFinality: 'pending',
})
instrumentStream(stream, { meter, name: 'wallets', system: 'toncenter' })
const tracker = createTracker({ providers: [toncenter, venum] })
instrumentTracker(tracker, { meter, name: 'payments' })

await stream.waitSubscribed({ timeoutMs: 15_000 })
ton.start({ seed: 3, ratePerSecond: 4, addresses: ton.addresses.slice(0, 4) })

// Every second, a TON trace and a Solana signature to track until they settle.
let n = 0
const tracking = setInterval(() => {
  n++
  const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
  const signature = venumSignature(n, 5)
  solana.addSignature(signature, n % 4 === 0 ? 'failure' : 'success')
  for (const tx of tracker.trackMany([
    { chain: 'ton', id: trace.traceExternalHashNorm },
    { chain: 'solana', id: signature },
  ])) {
    tx.settled().catch(() => {}) // failures are counted by the metrics; nothing to do here
  }
  setTimeout(() => void trace.finish().catch(() => {}), 200)
}, 1_000)

let stopping = false
let runTimer
const stop = async () => {
  if (stopping) return
  stopping = true
  clearInterval(tracking)
  clearTimeout(runTimer)
  await ton.stop()
  await tracker.close()
  await stream.close()
  await toncenter.close()
  await ton.close()
  await solana.close()
  await meterProvider.shutdown()
  server.close()
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
if (process.env.RUN_MS) runTimer = setTimeout(() => void stop(), Number(process.env.RUN_MS))
