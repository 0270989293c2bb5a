// The cross-chain tracker on the user's path: @chainstream/core's createTracker over the TON Center and
// Venum providers, against both simulators, compared with bare protocol clients (one raw `ws` socket for
// TON, naive SSE readers for Venum) in the same run. Each subject runs in a child process of its own; the
// simulators run in worker threads of this process. Repetitions alternate which subject goes first.
//
// - tracker-memory: heap growth per tracked id (10,000 TON traces + 10,000 Solana signatures, once every
//   subscription is in place, after a full GC), against a bare Map of the same ids. Both count the id
//   strings they make. tracker-memory-vs-bare-clients: the same against the bare clients' Map plus their
//   own connections (one WebSocket, and 1,000+ Venum streams of 10 signatures).
// - tracker-burst-p50 / -p99: the simulators write every stage of all 20,000 ids as fast as they can; the
//   time from an id's final event being written to the tracker's terminal update (bare clients: to the
//   final event being parsed). Plus the CPU seconds each subject spent on the burst.
// - tracker-paced-p99: 5,000 events/s (half TON, half Solana) for fresh ids; the time from each event being
//   written to the tracker's update of that tier. `added` is the tracker's p99 minus the bare clients'.
//
// Every entry gives the median over the repetitions and the spread (min–max) of the ratios.
//
// The TON simulator's send buffers are unbounded here, so that falling behind shows as latency; with
// TRACKER_BENCH_SERVER_BUFFERS=1 they are the real server's (64 frames), and what it drops for a slow
// reader is printed (a subject that misses a final event fails the run).

import { setMaxListeners } from 'node:events'
import { fileURLToPath } from 'node:url'
import { blockData, forEachSseBlock } from './bare-sse.mjs'
import {
  collectedHeap,
  cpuSeconds,
  entry,
  percentile,
  profileOnDemand,
  round,
  serveParent,
  startChild,
  until,
} from './child-runs.mjs'
import { startSimulator } from './track-sims.mjs'

const COUNT = Number(process.env.TRACKER_BENCH_COUNT ?? 10_000)
const REPS = Number(process.env.TRACKER_BENCH_REPS ?? 3)
const PACED_RATE = 5_000
const PACED_TON = Math.round(COUNT / 5)
const PACED_SOLANA = Math.round((PACED_TON * 3) / 4)
const SIGNATURES_PER_STREAM = 10
const UNBOUNDED = { perConnection: Number.POSITIVE_INFINITY, perClient: Number.POSITIVE_INFINITY }
/** What each simulator's event is, as a finality tier. */
const TIER_OF = {
  pending: 'pending',
  confirmed: 'confirmed',
  finalized: 'finalized',
  landed: 'pending',
  processed: 'included',
}
const now = () => performance.timeOrigin + performance.now()
const debug = (...args) => {
  if (process.env.BENCH_DEBUG) console.log(...args)
}

// ---------------------------------------------------------------------------------------------------
// The subjects (child processes)

/** What both subjects share: when each `id:tier` was first seen, and marks for CPU and collection. */
function seenLog() {
  const seen = new Map()
  let cpuMark = process.cpuUsage()
  const profiler = profileOnDemand()
  return {
    seen,
    mark: async () => {
      await profiler.start()
      cpuMark = process.cpuUsage()
    },
    /** Waits until every key was seen (or gives up); answers their times and the CPU since the mark. */
    collect: async ({ keys, timeoutMs = 60_000 }) => {
      await until(() => keys.every((key) => seen.has(key)), 'the events', timeoutMs).catch(() => {})
      const cpu = cpuSeconds(cpuMark)
      await profiler.stop()
      return { times: keys.map((key) => seen.get(key) ?? null), cpu }
    },
  }
}

async function trackerSubject() {
  const { createTracker } = await import('@chainstream/core')
  const { createToncenter } = await import('@chainstream/provider-toncenter')
  const { createVenum } = await import('@chainstream/provider-venum-solana')
  const log = seenLog()
  let tracker
  serveParent({
    setup: ({ ton, venum }) => {
      tracker = createTracker({
        providers: [
          createToncenter({ apiKey: ton.key, baseUrl: ton.url, lifecycle: { snapshotConcurrency: 4 } }),
          createVenum({ apiKey: venum.apiKey, baseUrl: venum.url, maxStreams: 2_000 }),
        ],
        history: 0,
      })
      tracker.on('error', (error) => debug('tracker error', error.code, error.message))
      tracker.on('update', (update) => {
        // The tiers this update reached first (a skipped one is stamped with the update's time too), so
        // the harness makes about one key per event, as the bare clients' does — not one per tier so far.
        for (const tier in update.tierReachedAt) {
          if (update.tierReachedAt[tier] !== update.at) continue
          const key = `${update.id}:${tier}`
          if (!log.seen.has(key)) log.seen.set(key, now())
        }
      })
    },
    heap: collectedHeap,
    track: ({ ton, solana }) => {
      // Fresh strings, made here, as an application's own would be.
      tracker.trackMany([
        ...ton.split(',').map((id) => ({ chain: 'ton', id })),
        ...solana.split(',').map((id) => ({ chain: 'solana', id })),
      ])
    },
    size: () => tracker.size,
    mark: log.mark,
    collect: log.collect,
    close: () => tracker.close(),
  })
}

async function bareSubject() {
  const { default: WebSocket } = await import('ws')
  const { request } = await import('undici')
  const log = seenLog()
  let map
  const sockets = []
  const controller = new AbortController()
  setMaxListeners(0, controller.signal) // one signal closes all 1,000+ bare streams
  const seen = (id, status) => {
    const key = `${id}:${TIER_OF[status]}`
    if (!log.seen.has(key)) log.seen.set(key, now())
  }
  const tonSocket = (info, ids) =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(info.wsUrl, { headers: { 'X-API-Key': info.key } })
      sockets.push(socket)
      socket.on('open', () =>
        socket.send(
          JSON.stringify({
            operation: 'subscribe',
            id: '1',
            types: ['trace'],
            trace_external_hash_norms: ids,
            min_finality: 'pending',
          }),
        ),
      )
      socket.on('message', (data) => {
        const value = JSON.parse(data.toString())
        if (value.status === 'subscribed') resolve()
        else if (value.type === 'trace') seen(value.trace_external_hash_norm, value.finality)
      })
      socket.on('error', reject)
    })
  const venumStream = async (info, group, ready) => {
    const response = await request(
      `${info.url}/v1/stream/tx?signatures=${group.join(',')}&events=landed,processed,confirmed,finalized`,
      {
        headers: { accept: 'text/event-stream', 'x-api-key': info.apiKey },
        signal: controller.signal,
      },
    )
    await forEachSseBlock(response.body, (block) => {
      if (block.startsWith('event: ready')) ready()
      else if (block.startsWith('event: tx')) {
        const value = blockData(block)
        seen(value.signature, value.status)
      }
    })
  }
  serveParent({
    setup: () => {},
    heap: collectedHeap,
    track: ({ ton, solana }) => {
      map = new Map()
      for (const id of ton.split(',')) map.set(id, undefined)
      for (const id of solana.split(',')) map.set(id, undefined)
    },
    size: () => map.size,
    /** Opens the bare connections for every id of the run; resolves once all are subscribed. */
    connect: async ({ ton, venum, tonIds, solanaIds }) => {
      let ready = 0
      const groups = []
      for (let i = 0; i < solanaIds.length; i += SIGNATURES_PER_STREAM)
        groups.push(solanaIds.slice(i, i + SIGNATURES_PER_STREAM))
      for (const group of groups) venumStream(venum, group, () => ready++).catch(() => {})
      await tonSocket(ton, tonIds)
      await until(() => ready === groups.length, 'bare Venum streams')
    },
    mark: log.mark,
    collect: log.collect,
    close: () => {
      for (const socket of sockets) socket.close()
      controller.abort()
    },
  })
}

if (process.env.BENCH_ROLE === 'tracker') await trackerSubject()
if (process.env.BENCH_ROLE === 'bare') await bareSubject()

// ---------------------------------------------------------------------------------------------------
// The orchestration

/**
 * Until the tracker's subscriptions are in place: Venum streams open and their REST snapshots (one
 * `/v1/tx` look-up per signature after `ready`) done, TON snapshots (API v3) done. Set-up work still
 * running when the burst starts would be charged to the burst's latency and CPU.
 */
async function settled(ton, venum, signatures) {
  await until(
    async () => (await venum.ask('openStreams')) >= Math.ceil(signatures / SIGNATURES_PER_STREAM),
    'Venum streams',
  )
  await until(async () => (await venum.ask('restCalls')) >= signatures, 'Venum snapshots', 120_000, 100)
  await quiet(() => venum.ask('restCalls'), 'Venum snapshots')
  await quiet(() => ton.ask('v3Calls'), 'TON snapshots')
}

/** Until `count()` stays the same for 300 ms. */
async function quiet(count, what) {
  let calls = -1
  await until(
    async () => {
      const current = await count()
      const same = current === calls
      calls = current
      return same
    },
    what,
    120_000,
    300,
  )
}

/** Both simulators write `ids` (all stages) at `rate` events/s between them (or as fast as they can). */
async function emitBoth(ton, venum, ids, rate) {
  const [tonEvents, solanaEvents] = await Promise.all([
    ton.ask('emit', { ids: ids.ton, rate: rate && rate / 2 }),
    venum.ask('emit', { ids: ids.solana, rate: rate && rate / 2 }),
  ])
  return [...tonEvents, ...solanaEvents]
}

/** Latencies (ms) from each event's write to the subject seeing its tier; throws on a missed one. */
async function latencies(child, events, role) {
  const keys = events.map(([id, tag]) => `${id}:${TIER_OF[tag]}`)
  const { times, cpu } = await child.ask('collect', { keys })
  const missed = times.filter((t) => t === null).length
  if (missed > 0) throw new Error(`${role}: ${missed} of ${keys.length} events were never seen`)
  return { ms: times.map((t, i) => Math.max(0, t - events[i][2])), cpu }
}

async function runOnce(role) {
  // Unbounded send buffers: a reader that falls behind shows as latency rather than losing notifications
  // (with the real server's 64 frames it would lose them; `dropped` counts what a faithful one would).
  // TRACKER_BENCH_SERVER_BUFFERS=1 keeps the real server's buffers, to count what a slow reader loses.
  const faithful = process.env.TRACKER_BENCH_SERVER_BUFFERS === '1'
  const ton = await startSimulator('ton', faithful ? {} : { sendBuffer: UNBOUNDED })
  const venum = await startSimulator('venum')
  const child = await startChild(fileURLToPath(import.meta.url), role)
  try {
    const burst = {
      ton: await ton.ask('plan', { count: COUNT }),
      solana: await venum.ask('plan', { count: COUNT }),
    }
    const paced = {
      ton: await ton.ask('plan', { count: PACED_TON }),
      solana: await venum.ask('plan', { count: PACED_SOLANA }),
    }
    await child.ask('setup', { ton: ton.info, venum: venum.info })

    const before = await child.ask('heap')
    await child.ask('track', { ton: burst.ton.join(','), solana: burst.solana.join(',') })
    if (role === 'tracker') await settled(ton, venum, COUNT)
    const memory = ((await child.ask('heap')) - before) / (2 * COUNT)
    let connections = 0
    debug(role, 'bytes per id', Math.round(memory))

    if (role === 'tracker') {
      await child.ask('track', { ton: paced.ton.join(','), solana: paced.solana.join(',') })
      await settled(ton, venum, COUNT + PACED_SOLANA)
    } else {
      const tonIds = [...burst.ton, ...paced.ton]
      const solanaIds = [...burst.solana, ...paced.solana]
      const unconnected = await child.ask('heap')
      await child.ask('connect', { ton: ton.info, venum: venum.info, tonIds, solanaIds })
      // What the bare clients' own connections cost per id (a Venum stream carries 10 signatures).
      connections = ((await child.ask('heap')) - unconnected) / (tonIds.length + solanaIds.length)
      debug(role, 'connection bytes per id', Math.round(connections))
    }

    await child.ask('mark')
    const burstEvents = await emitBoth(ton, venum, burst)
    const finals = burstEvents.filter(([, tag]) => tag === 'finalized')
    const dropped = await ton.ask('dropped')
    if (dropped > 0)
      console.log(`  ${role}: the TON server dropped ${dropped} notifications for a slow reader`)
    const burstResult = await latencies(child, finals, role)
    debug(role, 'burst p50', percentile(burstResult.ms, 50), 'p99', percentile(burstResult.ms, 99))
    // Per chain (a TON trace hash is base64 and ends in '='; a Solana signature is base58).
    for (const [chain, ton] of [
      ['TON', true],
      ['Solana', false],
    ]) {
      const ms = burstResult.ms.filter((_, i) => finals[i][0].endsWith('=') === ton)
      debug(role, chain, 'burst p50', percentile(ms, 50), 'p99', percentile(ms, 99))
    }

    await child.ask('mark')
    const pacedEvents = await emitBoth(ton, venum, paced, PACED_RATE)
    const pacedResult = await latencies(child, pacedEvents, role)
    debug(role, 'paced p50', percentile(pacedResult.ms, 50), 'p99', percentile(pacedResult.ms, 99))
    await child.ask('close')
    return { memory, connections, burst: burstResult, paced: pacedResult }
  } finally {
    await child.stop()
    await Promise.all([ton.close(), venum.close()])
  }
}

/** The `pnpm bench` scenario: see the top of this file. */
export async function trackerTrack() {
  const runs = []
  for (let rep = 0; rep < REPS; rep++) {
    const order =
      (rep + Number(process.env.TRACKER_BENCH_ROTATE ?? 0)) % 2 === 0
        ? ['tracker', 'bare']
        : ['bare', 'tracker']
    const run = {}
    for (const role of order) run[role] = await runOnce(role)
    runs.push(run)
    const t = run.tracker
    const b = run.bare
    console.log(
      `  tracker-track ${rep + 1}/${REPS}: ${Math.round(t.memory)} B/id (map ${Math.round(b.memory)}); ` +
        `burst p99 ${round(percentile(t.burst.ms, 99), 1)} ms (bare ${round(percentile(b.burst.ms, 99), 1)}), ` +
        `CPU ${round(t.burst.cpu, 2)} s (bare ${round(b.burst.cpu, 2)}); paced p99 ${round(percentile(t.paced.ms, 99), 2)} ms (bare ${round(percentile(b.paced.ms, 99), 2)})`,
    )
  }
  const pairs = (pick) => runs.map((run) => ({ value: pick(run.tracker), baseline: pick(run.bare) }))
  const pacedP99 = entry(
    'tracker-paced-p99',
    'ms',
    pairs((r) => percentile(r.paced.ms, 99)),
    2,
  )
  const added = runs.map((run) => percentile(run.tracker.paced.ms, 99) - percentile(run.bare.paced.ms, 99))
  return [
    entry(
      'tracker-memory',
      'bytes/id',
      pairs((r) => r.memory),
    ),
    // The same, against bare clients holding the ids and their own connections (1,000+ Venum streams).
    entry(
      'tracker-memory-vs-bare-clients',
      'bytes/id',
      runs.map((run) => ({ value: run.tracker.memory, baseline: run.bare.memory + run.bare.connections })),
    ),
    entry(
      'tracker-burst-p50',
      'ms',
      pairs((r) => percentile(r.burst.ms, 50)),
      1,
    ),
    entry(
      'tracker-burst-p99',
      'ms',
      pairs((r) => percentile(r.burst.ms, 99)),
      1,
    ),
    entry(
      'tracker-burst-cpu',
      'CPU s',
      pairs((r) => r.burst.cpu),
      2,
    ),
    entry(
      'tracker-paced-p50',
      'ms',
      pairs((r) => percentile(r.paced.ms, 50)),
      2,
    ),
    {
      ...pacedP99,
      added: round(percentile(added, 50), 2),
      addedSpread: [round(Math.min(...added), 2), round(Math.max(...added), 2)],
    },
    entry(
      'tracker-paced-cpu',
      'CPU s',
      pairs((r) => r.paced.cpu),
      2,
    ),
  ]
}
