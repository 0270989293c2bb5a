// The relay on NATS JetStream (`@chainstream/relay`), against a direct provider stream measured in the
// same run. Needs Debian's nats-server (scripts/install-e2e-deps.sh); a server is started on a free
// loopback port with a temporary store and stopped afterwards.
//
// - relay-events: TON `transactions` events per second, simulator → consumer, through the relay (the
//   relay's provider stream → JetStream publish with a message id → a durable consumer → the client's
//   TonStream; the relay in a worker thread, as it is a process of its own in production), against a direct `toncenter.stream()` of the same subscription on the same simulator.
//   Each path runs alone in its round; rounds alternate; medians are compared.
// - relay-latency-p99: the 99th percentile, over the same events, of the time from the simulator
//   emitting an event to the consumer's handler, against the direct stream's.
// - relay-memory-per-id: heap per tracked id at the relay while 20 consumers track the same 10,000
//   Solana signatures through it (the relay's worker thread only: `heapUsed` is per isolate), against a
//   direct tracker over the same provider tracking the same 10,000 signatures in a worker of its own.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createTracker } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { createRelay, createRelayClient } from '@chainstream/relay'
import { createTonSimulator, createVenumSimulator, venumSignature } from '@chainstream/testkit'
import { settle } from './heap.mjs'

const NATS_SERVER = '/usr/sbin/nats-server'
const TRACES = 1_500
const ROUNDS = 5
const IDS = 10_000
const CONSUMERS = 20

// ---------------------------------------------------------------------------------------------------
// Worker roles: the relay (or the direct tracker) alone in an isolate, so its heap is measured alone.

if (!isMainThread && workerData?.role) {
  const { role, natsUrl, venum: venumAt, ids, tonBaseUrl } = workerData
  const venum = venumAt ? createVenum({ apiKey: venumAt.apiKey, baseUrl: venumAt.url }) : undefined
  const ton = tonBaseUrl ? createToncenter({ apiKey: 'bench-relay', baseUrl: tonBaseUrl }) : undefined
  let relay
  let tracker
  await settle()
  const before = process.memoryUsage().heapUsed
  if (role === 'relay') {
    relay = await createRelay({ nats: { servers: natsUrl }, providers: { solana: venum, ton } })
  } else {
    tracker = createTracker({ providers: [venum] })
    tracker.trackMany(ids.map((id) => ({ chain: 'solana', id })))
  }
  parentPort.on('message', async (message) => {
    if (message === 'measure') {
      await settle()
      parentPort.postMessage({
        heap: process.memoryUsage().heapUsed - before,
        tracked: relay?.tracked ?? tracker.size,
      })
    } else if (message === 'tracked') {
      parentPort.postMessage({ tracked: relay?.tracked ?? tracker.size })
    } else if (message === 'close') {
      await relay?.close()
      await tracker?.close()
      await venum?.close()
      await ton?.close()
      parentPort.postMessage('closed')
    }
  })
  parentPort.postMessage('ready')
}

// ---------------------------------------------------------------------------------------------------

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function startNats() {
  const port = await freePort()
  const store = await mkdtemp(join(tmpdir(), 'chainstream-bench-nats-'))
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], {
    stdio: 'ignore',
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  return {
    url: `127.0.0.1:${port}`,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      await rm(store, { recursive: true, force: true })
    },
  }
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const median = (values) => percentile(values, 50)

/** One round: TRACES traces on `account`, every `transactions` event of the stream timed. */
async function round(sim, stream, account, counterpart) {
  const received = new Map()
  const expected = TRACES * 3
  let done
  const finished = new Promise((resolve) => {
    done = resolve
  })
  stream.on('transactions', (event) => {
    received.set(
      `${event.finality} ${event.trace_external_hash_norm}`,
      performance.timeOrigin + performance.now(),
    )
    if (received.size === expected) done()
  })
  await stream.waitSubscribed({ timeoutMs: 30_000 })
  const mark = sim.ledger.mark()
  const start = performance.now()
  const traces = Array.from({ length: TRACES }, () => sim.emitTrace({ addresses: [account, counterpart] }))
  await Promise.all(traces.map((trace) => trace.finish()))
  await finished
  const seconds = (performance.now() - start) / 1000
  const latencies = []
  for (const { at, notification } of sim.ledger.since(mark)) {
    if (notification.type !== 'transactions') continue
    const seen = received.get(`${notification.finality} ${notification.trace_external_hash_norm}`)
    if (seen !== undefined) latencies.push(seen - at)
  }
  await stream.close()
  return { perSecond: expected / seconds, p99: percentile(latencies, 99) }
}

async function throughput(nats) {
  const sim = await createTonSimulator({
    keepaliveMs: 0,
    lingerMs: 0,
    sendBuffer: { perConnection: Infinity, perClient: Infinity },
  })
  const direct = createToncenter({ apiKey: 'bench-direct', baseUrl: sim.toncenter.baseUrl })
  // The relay in a thread of its own, as it would be a process of its own.
  const relay = startWorker({ role: 'relay', natsUrl: nats.url, tonBaseUrl: sim.toncenter.baseUrl })
  await relay.ready
  const subscription = { types: ['transactions'], minFinality: 'pending' }
  const viaRelay = []
  const viaDirect = []
  try {
    for (let i = 0; i <= ROUNDS; i++) {
      // A fresh account per round: nothing of an earlier round is in flight for it.
      const account = sim.addresses[i % sim.addresses.length]
      const counterpart = sim.addresses[(i + 1) % sim.addresses.length]
      const client = createRelayClient({ servers: nats.url })
      const relayed = await round(
        sim,
        client.ton.stream({ ...subscription, addresses: [account] }),
        account,
        counterpart,
      )
      await client.close()
      const straight = await round(
        sim,
        direct.stream({ ...subscription, addresses: [account], transport: 'websocket', recovery: 'off' }),
        account,
        counterpart,
      )
      if (i === 0) continue // warm-up (JIT, consumers, connections)
      viaRelay.push(relayed)
      viaDirect.push(straight)
    }
  } finally {
    await relay.ask('close')
    await relay.terminate()
    await direct.close()
    await sim.close()
  }
  return { viaRelay, viaDirect }
}

function startWorker(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data })
  const ready = new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const ask = (message) =>
    new Promise((resolve) => {
      worker.once('message', resolve)
      worker.postMessage(message)
    })
  return { ready, ask, terminate: () => worker.terminate() }
}

async function untilTracked(worker, count) {
  const deadline = Date.now() + 120_000
  for (;;) {
    const { tracked } = await worker.ask('tracked')
    if (tracked >= count) return
    if (Date.now() > deadline) throw new Error(`only ${tracked} of ${count} ids tracked`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function memory(nats) {
  const sim = await createVenumSimulator({ maxStreamsPerKey: 5_000, heartbeatIntervalMs: 0, record: false })
  const ids = Array.from({ length: IDS }, (_, i) => venumSignature(i, 23))
  for (const id of ids) sim.addSignature(id, 'manual')
  const venum = { url: sim.url, apiKey: sim.apiKey }
  try {
    // Through the relay: 20 consumers register the same 10,000 ids.
    const host = startWorker({ role: 'relay', natsUrl: nats.url, venum })
    await host.ready
    const clients = Array.from({ length: CONSUMERS }, (_, i) =>
      createRelayClient({ servers: nats.url, name: `bench-tracker-${i}` }),
    )
    const watches = clients.map((client) =>
      client.solana.lifecycle.openLifecycleWatch({ observe() {}, error() {} }, { target: 'finalized' }),
    )
    await Promise.all(watches.map((watch) => watch.add(ids)))
    await untilTracked(host, IDS)
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const relayed = await host.ask('measure')
    await Promise.all(watches.map((watch) => watch.close()))
    await Promise.all(clients.map((client) => client.close()))
    await host.ask('close')
    await host.terminate()
    // Directly: one tracker over the same provider, the same ids.
    const direct = startWorker({ role: 'direct', venum, ids })
    await direct.ready
    await untilTracked(direct, IDS)
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const straight = await direct.ask('measure')
    await direct.ask('close')
    await direct.terminate()
    return { relayPerId: relayed.heap / IDS, directPerId: straight.heap / IDS }
  } finally {
    await sim.close()
  }
}

export async function relayBench() {
  const nats = await startNats()
  try {
    const { viaRelay, viaDirect } = await throughput(nats)
    const { relayPerId, directPerId } = await memory(nats)
    const relayRate = median(viaRelay.map((r) => r.perSecond))
    const directRate = median(viaDirect.map((r) => r.perSecond))
    const relayP99 = median(viaRelay.map((r) => r.p99))
    const directP99 = median(viaDirect.map((r) => r.p99))
    const round2 = (value) => Math.round(value * 100) / 100
    process.stdout.write(
      `relay rounds: events/s relay ${viaRelay.map((r) => Math.round(r.perSecond)).join(', ')} · direct ${viaDirect.map((r) => Math.round(r.perSecond)).join(', ')}; p99 ms relay ${viaRelay.map((r) => Math.round(r.p99)).join(', ')} · direct ${viaDirect.map((r) => Math.round(r.p99)).join(', ')}\n`,
    )
    return [
      {
        name: 'relay-events',
        unit: 'events/s',
        value: Math.round(relayRate),
        baseline: Math.round(directRate),
        ratio: round2(relayRate / directRate),
      },
      {
        name: 'relay-latency-p99',
        unit: 'ms',
        value: Math.round(relayP99),
        baseline: Math.round(directP99),
        ratio: round2(relayP99 / Math.max(1, directP99)),
      },
      {
        name: 'relay-memory-per-id',
        unit: 'bytes/id',
        value: Math.round(relayPerId),
        baseline: Math.round(directPerId),
        ratio: round2(relayPerId / directPerId),
      },
    ]
  } finally {
    await nats.close()
  }
}

if (isMainThread && process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  console.table(await relayBench())
}
