// Watching 10,000 Solana signatures through @chainstream/provider-venum-solana (`venum.watch`) against the
// Venum simulator (fast lifecycles: landed → processed → confirmed → finalized within ~10 ms of the first
// sighting), compared in the same run with a naive client: split-on-blank-line + JSON.parse over the same
// simulator's raw SSE bytes, with the same number of streams (of 10 signatures) open at once.
//
// Each subject runs in a child process of its own, the simulator in a worker thread of this process.
// Repetitions alternate which subject goes first.
//
// - venum-track-memory: peak live heap growth per signature while the watch runs (a full GC before each
//   sample, every 50 ms), against the naive client's.
// - venum-track-retained: what the finished watch still holds per signature after a full GC, against a
//   bare Map of the same signatures.
// - venum-track-updates: updates per second (a separate pass, default heap, no sampling), against the naive
//   client's; venum-track-cpu: the CPU seconds each spent on that pass.

import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { blockData, forEachSseBlock } from './bare-sse.mjs'
import {
  collectedHeap,
  cpuSeconds,
  entry,
  profileOnDemand,
  round,
  serveParent,
  startChild,
} from './child-runs.mjs'

const SIGNATURES = Number(process.env.VENUM_BENCH_COUNT ?? 10_000)
const REPS = Number(process.env.VENUM_BENCH_REPS ?? 3)
const CONCURRENT_STREAMS = 100
const PER_STREAM = 10
const SIM_OPTIONS = { timeScale: 0.05, maxStreamsPerKey: 1_000, record: false }
const EVENTS = 'landed,processed,confirmed,finalized'
const SAMPLE_MS = 50

// ---------------------------------------------------------------------------------------------------
// The simulator's side: this same file, loaded as a worker.

if (!isMainThread && workerData?.venumSimulator) {
  const { createVenumSimulator, venumSignature } = await import('@chainstream/testkit')
  const sim = await createVenumSimulator(workerData.venumSimulator)
  let seed = 1
  parentPort.on('message', async (message) => {
    if (message === 'close') {
      await sim.close()
      parentPort.postMessage('closed')
    } else if (message === 'plan') {
      // The simulator plays a signature's lifecycle from its first sighting; fresh ones per pass.
      parentPort.postMessage(Array.from({ length: SIGNATURES }, (_, i) => venumSignature(i, seed)).join(','))
      seed++
    }
  })
  parentPort.postMessage({ url: sim.url, apiKey: sim.apiKey })
}

async function startSimulator() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { venumSimulator: SIM_OPTIONS } })
  // Each answer removes the other listener: one `error` listener per request would pile up.
  const next = () =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        worker.off('error', onError)
        resolve(message)
      }
      const onError = (error) => {
        worker.off('message', onMessage)
        reject(error)
      }
      worker.once('message', onMessage)
      worker.once('error', onError)
    })
  const info = await next()
  return {
    info,
    plan: () => {
      const answer = next()
      worker.postMessage('plan')
      return answer
    },
    close: async () => {
      const closed = next()
      worker.postMessage('close')
      await closed
      await worker.terminate()
    },
  }
}

// ---------------------------------------------------------------------------------------------------
// The subjects (child processes)

/**
 * Runs `work` while sampling the live heap: a full GC, then the heap used, every {@link SAMPLE_MS} (a heap
 * sampled without a GC would measure when the collector last ran as much as what the watch holds).
 * Answers the peak over the start.
 */
async function peakDuring(work) {
  const start = await collectedHeap()
  const timeline = []
  let peak = start
  const sample = () => {
    globalThis.gc()
    const used = v8.getHeapStatistics().used_heap_size
    if (process.env.BENCH_DEBUG) timeline.push(Math.round((used - start) / 1e6))
    if (used > peak) peak = used
  }
  const timer = setInterval(sample, SAMPLE_MS)
  const cpu = process.cpuUsage()
  const started = performance.now()
  try {
    const result = await work()
    sample()
    if (process.env.BENCH_DEBUG) console.log(process.env.BENCH_ROLE, 'live heap MB', timeline.join(' '))
    return {
      ...result,
      seconds: (performance.now() - started) / 1000,
      cpu: cpuSeconds(cpu),
      peak: peak - start,
      start,
    }
  } finally {
    clearInterval(timer)
  }
}

const profiler = profileOnDemand()
async function timed(work) {
  await profiler.start()
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await work()
  const measured = { ...result, seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(cpu) }
  await profiler.stop()
  return measured
}

async function providerSubject() {
  const { createVenum } = await import('@chainstream/provider-venum-solana')
  let held
  const watchAll = async ({ info, signatures }) => {
    const venum = createVenum({ apiKey: info.apiKey, baseUrl: info.url, maxStreams: CONCURRENT_STREAMS })
    // Fresh strings, made here, as an application's own would be.
    const watch = venum.watch({ signatures: signatures.split(',') })
    let updates = 0
    let done = 0
    watch.on('update', (update) => {
      updates++
      if (update.done) done++
    })
    const error = await watch.closed
    if (error) throw error
    const count = signatures.length === 0 ? 0 : signatures.split(',').length
    if (done !== count) throw new Error(`the provider finished ${done} of ${count} signatures`)
    held = watch
    return { updates }
  }
  serveParent({
    memory: async (args) => {
      held = undefined // the warm-up's watch is not this one's
      const result = await peakDuring(() => watchAll(args))
      // What the finished watch still holds, with the watch itself still referenced.
      const retained = (await collectedHeap()) - result.start
      return { ...result, retained, holding: held !== undefined }
    },
    rate: (args) => timed(() => watchAll(args)),
  })
}

async function naiveSubject() {
  const { request } = await import('undici')
  const naiveStream = async (info, group) => {
    const response = await request(
      `${info.url}/v1/stream/tx?signatures=${group.join(',')}&events=${EVENTS}`,
      {
        headers: { accept: 'text/event-stream', 'x-api-key': info.apiKey },
      },
    )
    let count = 0
    await forEachSseBlock(response.body, (block) => {
      if (block.startsWith('event: tx')) {
        blockData(block)
        count++
      }
    })
    return count
  }
  const watchAll = async ({ info, signatures }) => {
    const all = signatures.split(',')
    const groups = []
    for (let i = 0; i < all.length; i += PER_STREAM) groups.push(all.slice(i, i + PER_STREAM))
    let next = 0
    let updates = 0
    await Promise.all(
      Array.from({ length: CONCURRENT_STREAMS }, async () => {
        while (next < groups.length) {
          // Not `updates += await …`: that reads `updates` before the await and loses the others' counts.
          const received = await naiveStream(info, groups[next++])
          updates += received
        }
      }),
    )
    return { updates }
  }
  let map
  serveParent({
    memory: async (args) => {
      const result = await peakDuring(() => watchAll(args))
      // The bare minimum a watch must hold: its signatures, in a Map.
      const before = await collectedHeap()
      map = new Map()
      for (const signature of args.signatures.split(',')) map.set(signature, undefined)
      const retained = (await collectedHeap()) - before
      return { ...result, retained, holding: map.size > 0 }
    },
    rate: (args) => timed(() => watchAll(args)),
  })
}

if (process.env.BENCH_ROLE === 'provider') await providerSubject()
if (process.env.BENCH_ROLE === 'naive') await naiveSubject()

// ---------------------------------------------------------------------------------------------------
// The orchestration

async function runOnce(sim, role) {
  const file = fileURLToPath(import.meta.url)
  const memoryChild = await startChild(file, role)
  let memory
  try {
    // A warm-up pass first: compiled code, loaded modules and kept-alive sockets are not per signature.
    await memoryChild.ask('rate', {
      info: sim.info,
      signatures: (await sim.plan()).split(',').slice(0, 1_000).join(','),
    })
    memory = await memoryChild.ask('memory', { info: sim.info, signatures: await sim.plan() })
  } finally {
    await memoryChild.stop()
  }
  const rateChild = await startChild(file, role)
  let rate
  try {
    // A warm-up pass first (JIT, sockets), then the measured one.
    await rateChild.ask('rate', { info: sim.info, signatures: await sim.plan() })
    rate = await rateChild.ask('rate', { info: sim.info, signatures: await sim.plan() })
  } finally {
    await rateChild.stop()
  }
  return { memory, rate }
}

/** The `pnpm bench` scenario: see the top of this file. */
export async function venumTrack() {
  const sim = await startSimulator()
  const runs = []
  try {
    for (let rep = 0; rep < REPS; rep++) {
      const order = rep % 2 === 0 ? ['provider', 'naive'] : ['naive', 'provider']
      const run = {}
      for (const role of order) run[role] = await runOnce(sim, role)
      runs.push(run)
      if (process.env.BENCH_DEBUG) console.log(JSON.stringify(run))
      const p = run.provider
      const n = run.naive
      console.log(
        `  venum-track ${rep + 1}/${REPS}: peak ${Math.round(p.memory.peak / SIGNATURES)} B/sig (naive ${Math.round(n.memory.peak / SIGNATURES)}), ` +
          `retained ${Math.round(p.memory.retained / SIGNATURES)} (map ${Math.round(n.memory.retained / SIGNATURES)}); ` +
          `${Math.round(p.rate.updates / p.rate.seconds)} updates/s (naive ${Math.round(n.rate.updates / n.rate.seconds)}), ` +
          `CPU ${round(p.rate.cpu, 2)} s (naive ${round(n.rate.cpu, 2)})`,
      )
    }
  } finally {
    await sim.close()
  }
  const pairs = (pick) => runs.map((run) => ({ value: pick(run.provider), baseline: pick(run.naive) }))
  return [
    entry(
      'venum-track-memory',
      'bytes/signature',
      pairs((r) => r.memory.peak / SIGNATURES),
    ),
    entry(
      'venum-track-retained',
      'bytes/signature',
      pairs((r) => r.memory.retained / SIGNATURES),
    ),
    entry(
      'venum-track-updates',
      'updates/s',
      pairs((r) => r.rate.updates / r.rate.seconds),
    ),
    entry(
      'venum-track-cpu',
      'CPU s',
      pairs((r) => r.rate.cpu),
      2,
    ),
  ]
}
