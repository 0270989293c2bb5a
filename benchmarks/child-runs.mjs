// Measured subjects run in child processes of their own (a clean heap, their own CPU time), driven over
// IPC with numbered requests; plus the statistics the lifecycle benchmarks share.
import { fork } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'

/**
 * Forks `file` as a subject with `role` (read by the child from `process.env.BENCH_ROLE`) and extra V8
 * `flags`; `ask(cmd, args)` resolves with the child's answer. `--expose-gc` so the child can measure a
 * collected heap.
 */
export async function startChild(file, role, env = {}, flags = []) {
  const child = fork(file, [], {
    env: { ...process.env, ...env, BENCH_ROLE: role },
    // Flushed bytecode would shrink the heap between two samples and read as negative growth.
    execArgv: [
      '--expose-gc',
      '--no-flush-bytecode',
      ...flags,
      ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map()
  let next = 1
  child.on('message', ({ n, value, error }) => {
    const entry = waiting.get(n)
    waiting.delete(n)
    if (error) entry?.reject(new Error(`${role}: ${error}`))
    else entry?.resolve(value)
  })
  child.on('exit', (code) => {
    for (const entry of waiting.values()) entry.reject(new Error(`${role} exited with ${code}`))
  })
  const ask = (cmd, args = {}) => {
    const n = next++
    const reply = new Promise((resolve, reject) => waiting.set(n, { resolve, reject }))
    child.send({ n, cmd, ...args })
    return reply
  }
  await ask('ping')
  return {
    ask,
    stop: async () => {
      await ask('exit').catch(() => {})
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

/** The child's side: answers the parent's requests with `handlers[cmd](args)`. */
export function serveParent(handlers) {
  const all = {
    ping: () => 'pong',
    exit: () => {
      setImmediate(() => process.exit(0))
      return 'bye'
    },
    ...handlers,
  }
  process.on('message', async ({ n, cmd, ...args }) => {
    try {
      process.send({ n, value: await all[cmd](args) })
    } catch (error) {
      process.send({ n, error: String(error?.stack ?? error) })
    }
  })
}

/** The `p`th percentile (nearest rank) of `values`. */
export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** The median of `values`. */
export const median = (values) => percentile(values, 50)

export const round = (value, digits = 0) => Number(value.toFixed(digits))

/** A heap measurement after full collections (the child runs with `--expose-gc`). */
export async function collectedHeap() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

/** CPU seconds (user + system) of this process since `since` (a `process.cpuUsage()` value). */
export function cpuSeconds(since) {
  const { user, system } = process.cpuUsage(since)
  return (user + system) / 1e6
}

/**
 * One results entry from per-repetition `{ value, baseline }` pairs: the median value, median baseline and
 * median ratio, with the spread (min–max) of the ratios, so the noise of a shared machine shows.
 */
export function entry(name, unit, pairs, digits = 0) {
  const ratios = pairs.map((p) => p.value / p.baseline)
  return {
    name,
    unit,
    value: round(median(pairs.map((p) => p.value)), digits),
    baseline: round(median(pairs.map((p) => p.baseline)), digits),
    ratio: round(median(ratios), 3),
    spread: [round(Math.min(...ratios), 3), round(Math.max(...ratios), 3)],
    rounds: ratios.length,
  }
}

/** A poll until `predicate()` holds. */
export async function until(predicate, what, timeoutMs = 120_000, everyMs = 20) {
  const start = Date.now()
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/**
 * With `BENCH_PROFILE_DIR` set, a CPU profile of each measured phase of a child (from its mark to its
 * collection), written there as `<role>-<n>.cpuprofile` for Chrome DevTools or `--cpu-prof` tooling. With
 * `BENCH_PROFILE_KIND=promoted` as well, a sampling heap profile instead (`<role>-<n>.heapprofile`) of what
 * the phase allocated that outlived a young-generation collection: what made the collector copy and
 * promote, the cost that grows when objects live a little too long. `BENCH_PROFILE_KIND=allocations`
 * samples every allocation, the short-lived ones too: what keeps the young-generation collector busy.
 */
export function profileOnDemand() {
  const dir = process.env.BENCH_PROFILE_DIR
  const kind = process.env.BENCH_PROFILE_KIND
  const promoted = kind === 'promoted' || kind === 'allocations'
  let session
  let n = 0
  return {
    start: async () => {
      if (!dir) return
      session = new Session()
      session.connect()
      if (promoted) {
        await session.post('HeapProfiler.enable')
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: 8192,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: kind === 'allocations',
        })
      } else {
        await session.post('Profiler.enable')
        await session.post('Profiler.start')
      }
    },
    stop: async () => {
      if (!session) return
      const { profile } = await session.post(promoted ? 'HeapProfiler.stopSampling' : 'Profiler.stop')
      session.disconnect()
      session = undefined
      const file = `${dir}/${process.env.BENCH_ROLE}-${++n}.${promoted ? 'heapprofile' : 'cpuprofile'}`
      await writeFile(file, JSON.stringify(profile))
    },
  }
}
