// One subject of an ingest benchmark, alone in its own process so that its RSS is its own:
// `node ingest-child.mjs '<spec json>'` runs a warm-up connection, then the measured one, and prints one
// JSON line: events/s, CPU time (process.cpuUsage) and wall time of the measured connection, peak RSS
// (the kernel's high-water mark) and peak heap (sampled) over the process, and the RSS and live heap at
// checkpoints (after a full GC when the process runs with --expose-gc, as the RSS scenario starts it).
import v8 from 'node:v8'
import { SUBJECTS } from './ingest-subjects.mjs'

const spec = JSON.parse(process.argv[2])
const run = SUBJECTS[spec.subject]?.[spec.transport]
if (!run) throw new Error(`unknown subject ${spec.subject} over ${spec.transport}`)

/** Counts notifications; settles `done` at `target`; records the RSS when a checkpoint is reached. */
function createCounter(target, checkpoints = []) {
  let count = 0
  let next = 0
  const rssAt = {}
  const heapAt = {}
  let resolve
  let reject
  const done = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return {
    done,
    rssAt,
    heapAt,
    hit() {
      count++
      if (count === checkpoints[next]) {
        // After a full GC: what the subject retains, not where the collector happened to be.
        globalThis.gc?.()
        rssAt[count] = process.memoryUsage.rss()
        heapAt[count] = v8.getHeapStatistics().used_heap_size
        next++
      }
      if (count === target) resolve()
    },
    fail: reject,
  }
}

let peakHeap = 0
// v8.getHeapStatistics costs a tenth of process.memoryUsage (which also reads the RSS from /proc).
const sampleHeap = () => {
  const used = v8.getHeapStatistics().used_heap_size
  if (used > peakHeap) peakHeap = used
}
const sampler = setInterval(sampleHeap, 10)

if (spec.warmup > 0) await run(spec, spec.warmup, createCounter(spec.warmup))

const counter = createCounter(spec.events, spec.checkpoints)
const cpuStart = process.cpuUsage()
const start = performance.now()
await run(spec, spec.events, counter)
const wallMs = performance.now() - start
const cpu = process.cpuUsage(cpuStart)
sampleHeap()
clearInterval(sampler)

process.stdout.write(
  `${JSON.stringify({
    eventsPerSecond: spec.events / (wallMs / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakHeap,
    rssAt: counter.rssAt,
    heapAt: counter.heapAt,
  })}\n`,
)
process.exit(0)
