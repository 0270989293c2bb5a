// The simulators of the lifecycle benchmarks, each in a worker thread of the orchestrating process (so
// neither their heap nor their CPU time is the measured process's), driven by numbered requests.
//
// Every time is `performance.timeOrigin + performance.now()`: comparable across threads and processes.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createTonSimulator, createVenumSimulator, venumSignature } from '@chainstream/testkit'

export const TON_KEY = 'bench-key'
/** Events written per burst before the simulator yields a turn of its event loop. */
const BATCH = 500
const now = () => performance.timeOrigin + performance.now()
const pause = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Writes `steps` (functions that write one event and return `[id, tag]`) at `rate` per second — or, with no
 * rate, as fast as the simulator can (in bursts of {@link BATCH}). Returns `[id, tag, writtenAt]` each.
 */
async function emit(steps, rate) {
  const out = []
  if (!rate) {
    for (let i = 0; i < steps.length; i++) {
      const at = now()
      const [id, tag] = await steps[i]()
      out.push([id, tag, at])
      if (i % BATCH === BATCH - 1) await pause()
    }
    return out
  }
  const start = now()
  for (let i = 0; i < steps.length; i++) {
    // Due time of event i; a late simulator catches up rather than drifting.
    const due = start + (i * 1000) / rate
    const wait = due - now()
    if (wait > 1) await sleep(wait)
    const at = now()
    const [id, tag] = await steps[i]()
    out.push([id, tag, at])
  }
  return out
}

/** Stage-major steps: every id's first stage, then every id's second, … */
const stageMajor = (ids, stages, write) => stages.flatMap((stage) => ids.map((id) => () => write(id, stage)))

if (!isMainThread && workerData?.trackSimulator === 'ton') {
  const sim = await createTonSimulator({
    keys: { [TON_KEY]: { maxConnections: 4, maxAddresses: -1 } },
    lingerMs: 0,
    ...workerData.options,
  })
  const traces = new Map()
  const handlers = {
    plan: ({ count }) => {
      const planned = Array.from({ length: count }, () =>
        sim.emitTrace({ addresses: sim.addresses.slice(0, 2) }),
      )
      for (const trace of planned) traces.set(trace.traceExternalHashNorm, trace)
      return planned.map((trace) => trace.traceExternalHashNorm)
    },
    emit: async ({ ids, rate }) =>
      emit(
        stageMajor(ids, ['pending', 'confirmed', 'finalized'], async (id, stage) => {
          await traces.get(id).advance()
          return [id, stage]
        }),
        rate,
      ),
    v3Calls: () => Object.values(sim.v3Calls).reduce((a, b) => a + b, 0),
    dropped: () => sim.sessions.reduce((total, session) => total + session.dropped.length, 0),
    info: () => ({ url: sim.toncenter.baseUrl, wsUrl: sim.toncenter.wsUrl, key: TON_KEY }),
    close: () => sim.close(),
  }
  serve(handlers)
}

if (!isMainThread && workerData?.trackSimulator === 'venum') {
  const sim = await createVenumSimulator({
    maxStreamsPerKey: 10_000,
    record: false,
    ...workerData.options,
  })
  let seed = 100
  const handlers = {
    plan: ({ count }) => {
      const ids = Array.from({ length: count }, (_, i) => venumSignature(i, seed))
      seed++
      for (const id of ids) sim.addSignature(id, 'manual')
      return ids
    },
    emit: async ({ ids, rate }) =>
      emit(
        stageMajor(ids, ['landed', 'processed', 'confirmed', 'finalized'], (id, status) => {
          sim.advance(id, status)
          return [id, status]
        }),
        rate,
      ),
    openStreams: () => sim.openStreams,
    restCalls: () => sim.restCalls,
    info: () => ({ url: sim.url, apiKey: sim.apiKey }),
    close: () => sim.close(),
  }
  serve(handlers)
}

function serve(handlers) {
  parentPort.on('message', async ({ n, cmd, ...args }) => {
    try {
      parentPort.postMessage({ n, value: await handlers[cmd](args) })
    } catch (error) {
      parentPort.postMessage({ n, error: String(error?.stack ?? error) })
    }
  })
  parentPort.postMessage({ n: 0, value: 'started' })
}

/** Starts one simulator worker (`'ton'` or `'venum'`); `ask(cmd, args)` resolves with its answer. */
export async function startSimulator(kind, options = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { trackSimulator: kind, options } })
  const waiting = new Map()
  let next = 1
  worker.on('message', ({ n, value, error }) => {
    const entry = waiting.get(n)
    waiting.delete(n)
    if (error) entry?.reject(new Error(error))
    else entry?.resolve(value)
  })
  const answer = (n) => new Promise((resolve, reject) => waiting.set(n, { resolve, reject }))
  const started = answer(0)
  worker.once('error', (error) => {
    for (const entry of waiting.values()) entry.reject(error)
  })
  await started
  const ask = (cmd, args = {}) => {
    const n = next++
    const reply = answer(n)
    worker.postMessage({ n, cmd, ...args })
    return reply
  }
  const info = await ask('info')
  return {
    info,
    ask,
    close: async () => {
      await ask('close')
      await worker.terminate()
    },
  }
}
