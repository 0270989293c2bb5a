// Tracking 10,000 TON traces and 10,000 Solana signatures through one cross-chain tracker
// (@chainstream/core's createTracker over the TON Center and Venum providers) against both simulators.
//
// - tracker-memory: peak heap growth per track while all 20,000 are tracked, against the heap cost of
//   20,000 id strings in a bare Map (both measured in this run, from a collected heap).
// - tracker-latency-p50 / tracker-latency-p99: time from the simulator writing an id's final event to the
//   tracker emitting its terminal update, against the same percentile for bare protocol clients (one raw
//   `ws` socket for TON, naive SSE readers for Venum) seeing the same final events in a second pass.
//
// The simulators run in worker threads, so their heaps are not counted in the client's; times are taken
// as `performance.timeOrigin + performance.now()`, comparable across threads.
import { setMaxListeners } from 'node:events'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createTracker } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { createTonSimulator, createVenumSimulator, venumSignature } from '@chainstream/testkit'
import { request } from 'undici'
import WebSocket from 'ws'
import { heapDuring, settle } from './heap.mjs'

const COUNT = Number(process.env.TRACKER_BENCH_COUNT ?? 10_000)
const BATCH = 500
const TON_KEY = 'bench-key'
const now = () => performance.timeOrigin + performance.now()
const pause = () => new Promise((resolve) => setImmediate(resolve))

// ---------------------------------------------------------------------------------------------------
// The simulators' side: this same file, loaded as workers.

if (!isMainThread && workerData?.simulator === 'ton') {
  const sim = await createTonSimulator({
    keys: { [TON_KEY]: { maxConnections: 4, maxAddresses: -1 } },
    lingerMs: 0,
  })
  let traces = []
  parentPort.on('message', async (message) => {
    if (message.cmd === 'plan') {
      traces = Array.from({ length: message.count }, () =>
        sim.emitTrace({ addresses: sim.addresses.slice(0, 2) }),
      )
      parentPort.postMessage({ ids: traces.map((trace) => trace.traceExternalHashNorm) })
    } else if (message.cmd === 'advance') {
      const finals = []
      for (let stage = 0; stage < 3; stage++) {
        for (let i = 0; i < traces.length; i += BATCH) {
          for (const trace of traces.slice(i, i + BATCH)) {
            if (stage === 2) finals.push([trace.traceExternalHashNorm, now()])
            await trace.advance()
          }
          await pause()
        }
      }
      parentPort.postMessage({ finals })
    } else if (message.cmd === 'v3-calls') {
      parentPort.postMessage({ calls: Object.values(sim.v3Calls).reduce((a, b) => a + b, 0) })
    } else if (message.cmd === 'close') {
      await sim.close()
      parentPort.postMessage({ closed: true })
    }
  })
  parentPort.postMessage({ url: sim.toncenter.baseUrl, wsUrl: sim.toncenter.wsUrl })
}

if (!isMainThread && workerData?.simulator === 'venum') {
  const sim = await createVenumSimulator({ maxStreamsPerKey: 5_000, heartbeatIntervalMs: 0, record: false })
  let ids = []
  parentPort.on('message', async (message) => {
    if (message.cmd === 'plan') {
      ids = Array.from({ length: message.count }, (_, i) => venumSignature(i, message.seed))
      for (const id of ids) sim.addSignature(id, 'manual')
      parentPort.postMessage({ ids })
    } else if (message.cmd === 'advance') {
      const finals = []
      for (const status of ['landed', 'processed', 'confirmed', 'finalized']) {
        for (let i = 0; i < ids.length; i += BATCH) {
          for (const id of ids.slice(i, i + BATCH)) {
            if (status === 'finalized') finals.push([id, now()])
            sim.advance(id, status)
          }
          await pause()
        }
      }
      parentPort.postMessage({ finals })
    } else if (message.cmd === 'open-streams') {
      parentPort.postMessage({ open: sim.openStreams })
    } else if (message.cmd === 'close') {
      await sim.close()
      parentPort.postMessage({ closed: true })
    }
  })
  parentPort.postMessage({ url: sim.url, apiKey: sim.apiKey })
}

function startWorker(simulator) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { simulator } })
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const onMessage = (value) => {
        worker.off('error', reject)
        resolve(value)
      }
      worker.once('message', onMessage)
      worker.once('error', reject)
      if (message) worker.postMessage(message)
    })
  return { worker, ask }
}

// ---------------------------------------------------------------------------------------------------
// Measuring

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function latencies(finals, seen) {
  const out = []
  for (const [id, at] of finals) {
    const got = seen.get(id)
    if (got === undefined) throw new Error(`no final event seen for ${id}`)
    out.push(Math.max(0, got - at))
  }
  return out
}

const debug = (...args) => {
  if (process.env.BENCH_DEBUG) console.log(...args)
}

const waitFor = async (predicate, what, timeoutMs = 120_000) => {
  debug('waiting for', what)
  const start = Date.now()
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Pass 1: the tracker. */
async function viaTracker(ton, venum) {
  const [{ ids: tonIds }, { ids: solIds }] = await Promise.all([
    ton.ask({ cmd: 'plan', count: COUNT }),
    venum.ask({ cmd: 'plan', count: COUNT, seed: 11 }),
  ])
  const measured = await heapDuring(async () => {
    const tracker = createTracker({
      providers: [
        createToncenter({ apiKey: TON_KEY, baseUrl: ton.info.url, lifecycle: { snapshotConcurrency: 4 } }),
        createVenum({ apiKey: venum.info.apiKey, baseUrl: venum.info.url, maxStreams: 2_000 }),
      ],
      history: 0,
    })
    const terminals = new Map()
    tracker.on('update', (update) => {
      if (update.terminal) terminals.set(update.id, now())
    })
    tracker.trackMany([
      ...tonIds.map((id) => ({ chain: 'ton', id })),
      ...solIds.map((id) => ({ chain: 'solana', id })),
    ])
    await waitFor(async () => (await venum.ask({ cmd: 'open-streams' })).open >= COUNT / 10, 'Venum streams')
    // The first snapshot of every tracked trace (API v3) is start-up work, not latency: let it finish.
    let calls = -1
    await waitFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      const now = (await ton.ask({ cmd: 'v3-calls' })).calls
      const quiet = now === calls && now > 0
      calls = now
      return quiet
    }, 'TON snapshots')
    const elu = performance.eventLoopUtilization()
    const [{ finals: tonFinals }, { finals: solFinals }] = await Promise.all([
      ton.ask({ cmd: 'advance' }),
      venum.ask({ cmd: 'advance' }),
    ])
    debug(
      'advance done; event loop utilisation so far',
      performance.eventLoopUtilization(elu).utilization.toFixed(2),
    )
    await waitFor(() => terminals.size === 2 * COUNT, 'terminal updates')
    debug(
      'terminals done; event loop utilisation',
      performance.eventLoopUtilization(elu).utilization.toFixed(2),
    )
    return { tracker, terminals, tonFinals, solFinals }
  })
  const { tracker, terminals, tonFinals, solFinals } = measured.result
  const growth = measured.growth
  await tracker.close()
  if (process.env.BENCH_DEBUG) {
    console.log(
      'ton p50',
      percentile(latencies(tonFinals, terminals), 50),
      'solana p50',
      percentile(latencies(solFinals, terminals), 50),
    )
  }
  return { growth, latencies: [...latencies(tonFinals, terminals), ...latencies(solFinals, terminals)] }
}

/** Pass 2: bare protocol clients seeing the same kind of final events. */
async function viaBareClients(ton, venum) {
  const [{ ids: tonIds }, { ids: solIds }] = await Promise.all([
    ton.ask({ cmd: 'plan', count: COUNT }),
    venum.ask({ cmd: 'plan', count: COUNT, seed: 12 }),
  ])
  const seen = new Map()
  const socket = new WebSocket(ton.info.wsUrl, { headers: { 'X-API-Key': TON_KEY } })
  await new Promise((resolve, reject) => {
    socket.on('open', () =>
      socket.send(
        JSON.stringify({
          operation: 'subscribe',
          id: '1',
          types: ['trace'],
          trace_external_hash_norms: tonIds,
          min_finality: 'pending',
        }),
      ),
    )
    socket.on('message', (data) => {
      const value = JSON.parse(data.toString())
      if (value.status === 'subscribed') resolve()
      else if (value.type === 'trace' && value.finality === 'finalized')
        seen.set(value.trace_external_hash_norm, now())
    })
    socket.on('error', reject)
  })
  const controller = new AbortController()
  setMaxListeners(0, controller.signal) // one signal closes all 1,000 bare streams
  let ready = 0
  const streams = []
  for (let i = 0; i < solIds.length; i += 10) {
    const group = solIds.slice(i, i + 10)
    streams.push(
      (async () => {
        const response = await request(
          `${venum.info.url}/v1/stream/tx?signatures=${group.join(',')}&events=landed,processed,confirmed,finalized`,
          {
            headers: { accept: 'text/event-stream', 'x-api-key': venum.info.apiKey },
            signal: controller.signal,
          },
        )
        let rest = ''
        for await (const chunk of response.body) {
          rest += chunk.toString('utf8')
          let end = rest.indexOf('\n\n')
          let from = 0
          while (end !== -1) {
            const block = rest.slice(from, end)
            if (block.startsWith('event: ready')) ready++
            else if (block.startsWith('event: tx')) {
              const value = JSON.parse(block.slice(block.indexOf('data: ') + 6))
              if (value.status === 'finalized') seen.set(value.signature, now())
            }
            from = end + 2
            end = rest.indexOf('\n\n', from)
          }
          rest = rest.slice(from)
        }
      })().catch(() => {}),
    )
  }
  await waitFor(() => ready === COUNT / 10, 'bare Venum streams')
  const [{ finals: tonFinals }, { finals: solFinals }] = await Promise.all([
    ton.ask({ cmd: 'advance' }),
    venum.ask({ cmd: 'advance' }),
  ])
  await waitFor(() => seen.size === 2 * COUNT, 'bare final events')
  socket.close()
  controller.abort()
  await Promise.all(streams)
  return { latencies: [...latencies(tonFinals, seen), ...latencies(solFinals, seen)] }
}

function bareMapGrowth(count) {
  const ids = Array.from({ length: count }, (_, i) => `${i.toString(36).padStart(8, '0')}${'x'.repeat(80)}`)
  return ids
}

const round = (value, digits = 0) => Number(value.toFixed(digits))

/** The `pnpm bench` scenario: see the top of this file. */
export async function trackerTrack() {
  const ton = startWorker('ton')
  const venum = startWorker('venum')
  // Both listeners at once: a worker's first message is lost if nobody listens when it arrives.
  ;[ton.info, venum.info] = await Promise.all([ton.ask(), venum.ask()])
  try {
    const tracked = await viaTracker(ton, venum)
    const bare = await viaBareClients(ton, venum)

    await settle()
    const before = process.memoryUsage().heapUsed
    const map = new Map(bareMapGrowth(2 * COUNT).map((id) => [id, undefined]))
    const mapGrowth = process.memoryUsage().heapUsed - before
    if (map.size !== 2 * COUNT) throw new Error('map')

    const perTrack = tracked.growth / (2 * COUNT)
    const perId = mapGrowth / (2 * COUNT)
    const p50 = percentile(tracked.latencies, 50)
    const p99 = percentile(tracked.latencies, 99)
    const bareP50 = percentile(bare.latencies, 50)
    const bareP99 = percentile(bare.latencies, 99)
    return [
      {
        name: 'tracker-memory',
        unit: 'bytes/track',
        value: Math.round(perTrack),
        baseline: Math.round(perId),
        ratio: round(perTrack / perId, 3),
      },
      {
        name: 'tracker-latency-p50',
        unit: 'ms',
        value: round(p50, 1),
        baseline: round(bareP50, 1),
        ratio: round(p50 / bareP50, 3),
      },
      {
        name: 'tracker-latency-p99',
        unit: 'ms',
        value: round(p99, 1),
        baseline: round(bareP99, 1),
        ratio: round(p99 / bareP99, 3),
      },
    ]
  } finally {
    await Promise.all([ton.ask({ cmd: 'close' }), venum.ask({ cmd: 'close' })])
    await Promise.all([ton.worker.terminate(), venum.worker.terminate()])
  }
}
