// Tracking 10,000 Solana signatures through @chainstream/provider-venum-solana against the Venum simulator
// (fast lifecycles: landed → processed → confirmed → finalized within ~10 ms of the first sighting).
//
// - venum-track-memory: peak heap growth per tracked signature while the watch runs (garbage not yet
//   collected included), against the heap cost of 10,000 signature strings in a bare Map (both measured
//   in this run, from a collected heap, each holding strings of its own).
// - venum-track-retained: what the finished watch still holds per signature after a GC (its per-signature
//   bookkeeping), against the same Map.
// - venum-track-updates: updates per second from the provider (sharding, REST snapshot after every
//   `ready`, lifecycle merge, listeners), against a naive client reading the same simulator's raw SSE
//   bytes with split-on-blank-line + JSON.parse, with the same number of streams open at once.
//
// The simulator runs in a worker thread, so its own heap (ledger, sockets, timers) is not counted in the
// client's: `heapUsed` is per isolate.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createVenumSimulator, venumSignature } from '@chainstream/testkit'
import { request } from 'undici'
import { heapDuring } from './heap.mjs'

const SIGNATURES = 10_000
const CONCURRENT_STREAMS = 100
const SIM_OPTIONS = { timeScale: 0.05, maxStreamsPerKey: 1_000, record: false }
const EVENTS = 'landed,processed,confirmed,finalized'

// ---------------------------------------------------------------------------------------------------
// The simulator's side: this same file, loaded as a worker.

if (!isMainThread && workerData?.venumSimulator) {
  const sim = await createVenumSimulator(workerData.venumSimulator)
  parentPort.on('message', async (message) => {
    if (message === 'close') {
      await sim.close()
      parentPort.postMessage('closed')
    }
  })
  parentPort.postMessage({ url: sim.url, apiKey: sim.apiKey })
}

async function startSimulator() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { venumSimulator: SIM_OPTIONS } })
  const { url, apiKey } = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return {
    url,
    apiKey,
    close: async () => {
      const closed = new Promise((resolve) => worker.once('message', resolve))
      worker.postMessage('close')
      await closed
      await worker.terminate()
    },
  }
}

// ---------------------------------------------------------------------------------------------------
// Measuring

const signatures = (count, seed) => Array.from({ length: count }, (_, i) => venumSignature(i, seed))

/**
 * The signatures as bytes, so that a measured region can make its own fresh strings cheaply (both the
 * provider and the baseline then count the strings they hold, and little else besides).
 */
function signatureBytes(count, seed) {
  const list = signatures(count, seed)
  return { bytes: Buffer.from(list.join(''), 'latin1'), lengths: list.map((s) => s.length) }
}

function freshStrings({ bytes, lengths }) {
  const out = new Array(lengths.length)
  let offset = 0
  for (let i = 0; i < lengths.length; i++) {
    out[i] = bytes.toString('latin1', offset, offset + lengths[i])
    offset += lengths[i]
  }
  return out
}

// ---------------------------------------------------------------------------------------------------
// The provider

async function loadProvider() {
  try {
    return await import('@chainstream/provider-venum-solana')
  } catch {
    // Until the workspace links the package at the root, load its build directly.
    return import('../packages/provider-venum-solana/dist/index.js')
  }
}

async function viaProvider(createVenum, sim, source) {
  const count = source.lengths.length
  const venum = createVenum({ apiKey: sim.apiKey, baseUrl: sim.url, maxStreams: CONCURRENT_STREAMS })
  const started = performance.now()
  const watch = venum.watch({ signatures: freshStrings(source) })
  let updates = 0
  let done = 0
  watch.on('update', (update) => {
    updates++
    if (update.done) done++
  })
  const error = await watch.closed
  const seconds = (performance.now() - started) / 1000
  if (error) throw error
  if (done !== count) throw new Error(`the provider finished ${done} of ${count} signatures`)
  // The finished watch is handed back so that its bookkeeping counts as retained.
  return { updates, seconds, watch }
}

// ---------------------------------------------------------------------------------------------------
// The baselines

function bareMap(source) {
  const map = new Map()
  for (const signature of freshStrings(source)) map.set(signature, undefined)
  return map
}

/** One stream read the naive way: split on blank lines, JSON.parse the data line, count `tx` events. */
async function naiveStream(sim, group) {
  const response = await request(`${sim.url}/v1/stream/tx?signatures=${group.join(',')}&events=${EVENTS}`, {
    headers: { accept: 'text/event-stream', 'x-api-key': sim.apiKey },
  })
  let count = 0
  let rest = ''
  for await (const chunk of response.body) {
    rest += chunk.toString('utf8')
    let end = rest.indexOf('\n\n')
    let from = 0
    while (end !== -1) {
      const block = rest.slice(from, end)
      if (block.startsWith('event: tx')) {
        JSON.parse(block.slice(block.indexOf('data: ') + 6))
        count++
      }
      from = end + 2
      end = rest.indexOf('\n\n', from)
    }
    rest = rest.slice(from)
  }
  return count
}

async function viaNaiveClient(sim, count, seed) {
  const all = signatures(count, seed)
  const groups = []
  for (let i = 0; i < all.length; i += 10) groups.push(all.slice(i, i + 10))
  const started = performance.now()
  let next = 0
  let updates = 0
  await Promise.all(
    Array.from({ length: CONCURRENT_STREAMS }, async () => {
      while (next < groups.length) {
        const received = await naiveStream(sim, groups[next++])
        updates += received
      }
    }),
  )
  return { updates, seconds: (performance.now() - started) / 1000 }
}

// ---------------------------------------------------------------------------------------------------

const round = (value, digits = 0) => Number(value.toFixed(digits))

/** The `pnpm bench` scenario: see the top of this file. */
export async function venumTrack({ count = SIGNATURES } = {}) {
  const { createVenum } = await loadProvider()
  const sim = await startSimulator()
  try {
    // Warm-up of both paths (JIT, sockets, one-time heap effects), on signatures of their own.
    await viaNaiveClient(sim, 1_000, 1)
    await heapDuring(() => viaProvider(createVenum, sim, signatureBytes(1_000, 2)))
    await heapDuring(async () => bareMap(signatureBytes(1_000, 3)))

    const forMap = signatureBytes(count, 4)
    const forProvider = signatureBytes(count, 5)
    const map = await heapDuring(async () => bareMap(forMap))
    const tracked = await heapDuring(() => viaProvider(createVenum, sim, forProvider))
    const naive = await viaNaiveClient(sim, count, 6)

    const memory = tracked.growth / count
    const memoryBaseline = map.growth / count
    const retained = tracked.retained / count
    const retainedBaseline = map.retained / count
    const rate = tracked.result.updates / tracked.result.seconds
    const rateBaseline = naive.updates / naive.seconds
    return [
      {
        name: 'venum-track-memory',
        unit: 'bytes/signature',
        value: Math.round(memory),
        baseline: Math.round(memoryBaseline),
        ratio: round(memory / memoryBaseline, 3),
      },
      {
        name: 'venum-track-retained',
        unit: 'bytes/signature',
        value: Math.round(retained),
        baseline: Math.round(retainedBaseline),
        ratio: round(retained / retainedBaseline, 3),
      },
      {
        name: 'venum-track-updates',
        unit: 'updates/s',
        value: Math.round(rate),
        baseline: Math.round(rateBaseline),
        ratio: round(rate / rateBaseline, 3),
      },
    ]
  } finally {
    await sim.close()
  }
}
