// The TON stream on the user's path: `createToncenter(...).stream(...)` over SSE and WebSocket against
// testkit servers, next to a bare client (the floor) and an `eventsource-parser` + zod client (what a
// user would write instead). Every subject runs in its own process (clean RSS, no shared JIT); rounds
// interleave the subjects, rotating their order, and each ratio is taken within its round.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { traceFrames, traceHash, transactionsFrames } from './frames.mjs'
import { startIngestServers } from './ingest-server.mjs'
import { entry } from './stats.mjs'

const CHILD = fileURLToPath(new URL('./ingest-child.mjs', import.meta.url))
const MB = 1024 * 1024

function runChild(spec) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(spec.checkpoints ? ['--expose-gc'] : []), CHILD, JSON.stringify(spec)],
      { timeout: 300_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${spec.subject}/${spec.transport} failed: ${stderr || error}`))
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)))
      },
    )
  })
}

/** Runs every subject over every transport for `rounds` rounds; returns measurements[transport][subject][]. */
async function measure({ frame, kind, hashes, events, warmup, rounds, subjects, transports, checkpoints }) {
  const servers = await startIngestServers(frame)
  const out = {}
  try {
    for (let round = 0; round < rounds; round++) {
      for (const transport of transports) {
        out[transport] ??= {}
        const order = subjects.map((_, i) => subjects[(i + round) % subjects.length])
        for (const subject of order) {
          const result = await runChild({
            subject,
            transport,
            kind,
            hashes,
            events,
            warmup,
            checkpoints,
            httpUrl: servers.httpUrl,
            wsUrl: servers.wsUrl,
          })
          out[transport][subject] ??= []
          out[transport][subject].push(result)
          process.stdout.write(
            `  round ${round + 1}/${rounds} ${transport} ${subject}: ${Math.round(result.eventsPerSecond)} events/s, ` +
              `${Math.round(result.cpuMs)} ms CPU, peak RSS ${Math.round(result.peakRss / MB)} MB\n`,
          )
        }
      }
    }
  } finally {
    await servers.close()
  }
  return out
}

const pick = (list, key, scale = 1) => list.map((r) => r[key] / scale)

function ingestEntries(prefix, measured, events) {
  const results = []
  for (const [transport, bySubject] of Object.entries(measured)) {
    const mine = bySubject.chainstream
    const bare = bySubject.bare
    const zod = bySubject['parser-zod']
    const name = `${prefix}-${transport}`
    results.push(
      entry(`${name}-events`, 'events/s', pick(mine, 'eventsPerSecond'), pick(bare, 'eventsPerSecond')),
      entry(`${name}-vs-parser-zod`, 'events/s', pick(mine, 'eventsPerSecond'), pick(zod, 'eventsPerSecond')),
      entry(
        `${name}-cpu`,
        'CPU µs/event',
        pick(mine, 'cpuMs', events / 1000),
        pick(bare, 'cpuMs', events / 1000),
      ),
      entry(`${name}-peak-rss`, 'MB', pick(mine, 'peakRss', MB), pick(bare, 'peakRss', MB)),
      entry(`${name}-peak-heap`, 'MB', pick(mine, 'peakHeap', MB), pick(bare, 'peakHeap', MB)),
    )
  }
  return results
}

/** 50,000 `transactions` notifications of about 1 KB each, every one a new trace. */
export async function tonIngest({ events = 50_000, rounds = 5 } = {}) {
  const measured = await measure({
    frame: transactionsFrames(1024),
    kind: 'transactions',
    events,
    warmup: 5_000,
    rounds,
    subjects: ['bare', 'parser-zod', 'chainstream'],
    transports: ['sse', 'ws'],
  })
  return ingestEntries('ton', measured, events)
}

/** 3,000 `trace` notifications of about 64 KB (1,000 traces, each pending → confirmed → finalized). */
export async function tonTrace({ events = 3_000, rounds = 5 } = {}) {
  const hashes = Array.from({ length: Math.ceil(events / 3) }, (_, i) => traceHash(i))
  const measured = await measure({
    frame: traceFrames(64 * 1024),
    kind: 'trace',
    hashes,
    events,
    warmup: 300,
    rounds,
    subjects: ['bare', 'parser-zod', 'chainstream'],
    transports: ['sse', 'ws'],
  })
  return ingestEntries('ton-trace', measured, events)
}

/** RSS over 1,000,000 `transactions` notifications: the level after 1M and the growth from 500k to 1M. */
export async function tonRss({ events = 1_000_000, rounds = 3 } = {}) {
  const half = events / 2
  const measured = await measure({
    frame: transactionsFrames(1024),
    kind: 'transactions',
    events,
    warmup: 0,
    rounds,
    subjects: ['bare', 'chainstream'],
    transports: ['sse', 'ws'],
    checkpoints: [half, events],
  })
  const results = []
  for (const [transport, { bare, chainstream }] of Object.entries(measured)) {
    const at = (list, count) => list.map((r) => r.rssAt[count] / MB)
    const growth = (list) => list.map((r) => r.rssAt[events] / r.rssAt[half])
    const heapGrowth = (list) => list.map((r) => r.heapAt[events] / r.heapAt[half])
    results.push(
      entry(`ton-${transport}-rss-1m`, 'MB', at(chainstream, events), at(bare, events)),
      entry(`ton-${transport}-rss-growth`, 'RSS 1M/500k', growth(chainstream), growth(bare)),
      // What the process retains, without the allocator's and V8's committed-but-free pages: RSS after a
      // full GC still moves by ±10 % from one checkpoint to the next while the live heap stays put.
      entry(`ton-${transport}-heap-growth`, 'live heap 1M/500k', heapGrowth(chainstream), heapGrowth(bare)),
    )
  }
  return results
}
