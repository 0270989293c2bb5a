// Heap growth per id of one chain, in this process (not part of `pnpm bench`): what tracker-track's
// `tracker-memory` mixes into one figure, taken apart, with Venum's own watch of the same signatures beside
// the tracker's Solana path. The simulator runs in a worker thread (its heap is not this isolate's).
//
//   node --expose-gc benchmarks/tracker-chain-memory.mjs [tracker-solana|watch-solana|tracker-ton …]
//
// Each mode runs in a fresh child process. The figure is taken once every subscription is in place (Venum:
// every stream open and every `/v1/tx` snapshot answered; TON: API v3 quiet), after a full GC, with every
// id still waiting for its first event: all 10,000 signatures ride 1,000 streams at once. (venum-track's
// `venum-track-retained` is what a *finished* watch holds, with 100 streams at a time — not comparable.)
// TRACKER_MEMORY_SNAPSHOT=<file> writes heap snapshots before (`<file>.before`) and after.

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
// Loaded before the first heap sample: their code is not per id.
import { createTracker } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { collectedHeap, until } from './child-runs.mjs'
import { startSimulator } from './track-sims.mjs'

const COUNT = Number(process.env.TRACKER_BENCH_COUNT ?? 10_000)
const MODES = ['tracker-solana', 'watch-solana', 'tracker-ton']
const UNBOUNDED = { perConnection: Number.POSITIVE_INFINITY, perClient: Number.POSITIVE_INFINITY }

/** Tracks (or watches) `ids` the way `mode` says; answers what holds them. */
function start(mode, info, ids) {
  if (mode === 'tracker-ton') {
    const tracker = createTracker({
      providers: [
        createToncenter({ apiKey: info.key, baseUrl: info.url, lifecycle: { snapshotConcurrency: 4 } }),
      ],
      history: 0,
    })
    tracker.trackMany(ids.map((id) => ({ chain: 'ton', id })))
    return tracker
  }
  const venum = createVenum({ apiKey: info.apiKey, baseUrl: info.url, maxStreams: 2_000 })
  if (mode === 'watch-solana') return venum.watch({ signatures: ids })
  const tracker = createTracker({ providers: [venum], history: 0 })
  tracker.trackMany(ids.map((id) => ({ chain: 'solana', id })))
  return tracker
}

/** Until `count()` stays the same for 300 ms. */
async function quiet(count, what) {
  let last = -1
  await until(
    async () => {
      const current = await count()
      const same = current === last
      last = current
      return same
    },
    what,
    120_000,
    300,
  )
}

async function measure(mode) {
  const ton = mode === 'tracker-ton'
  const sim = await startSimulator(ton ? 'ton' : 'venum', ton ? { sendBuffer: UNBOUNDED } : {})
  try {
    // Fresh strings, made here, as an application's own would be.
    const ids = (await sim.ask('plan', { count: COUNT })).join(',').split(',')
    const snapshot = process.env.TRACKER_MEMORY_SNAPSHOT
    const before = await collectedHeap()
    if (snapshot) v8.writeHeapSnapshot(`${snapshot}.before`)
    const holder = start(mode, sim.info, ids)
    if (ton) await quiet(() => sim.ask('v3Calls'), 'TON snapshots')
    else {
      const streams = Math.ceil(COUNT / 10)
      await until(async () => (await sim.ask('openStreams')) >= streams, 'Venum streams', 120_000)
      await until(async () => (await sim.ask('restCalls')) >= COUNT, 'Venum snapshots', 120_000, 100)
      await quiet(() => sim.ask('restCalls'), 'Venum snapshots')
    }
    const after = await collectedHeap()
    if (snapshot) v8.writeHeapSnapshot(snapshot)
    console.log(`${mode}: ${Math.round((after - before) / COUNT)} B/id`)
    await holder.close()
  } finally {
    await sim.close()
  }
}

const role = process.env.TRACKER_MEMORY_MODE
if (role) {
  await measure(role)
  process.exit(0)
} else {
  const modes = process.argv.length > 2 ? process.argv.slice(2) : MODES
  for (const mode of modes) {
    if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}; one of ${MODES.join(', ')}`)
    const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      env: { ...process.env, TRACKER_MEMORY_MODE: mode },
      stdio: 'inherit',
    })
    if (run.status !== 0) process.exit(run.status ?? 1)
  }
}
