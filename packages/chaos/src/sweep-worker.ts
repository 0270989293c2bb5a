import { appendFileSync } from 'node:fs'
import { test } from 'vitest'
import { runSeed } from './run-seed.js'
import { scheduleFor } from './schedule.js'

/**
 * One worker of `pnpm chaos`: runs its share of the seed range in this process and appends one JSON line
 * per seed to `CHAOS_OUT`. It runs under vitest only because vitest runs the TypeScript sources as they
 * are (no build); it asserts nothing — the CLI reads the results and judges.
 *
 * Environment: `CHAOS_SEEDS` (a comma-separated list) or `CHAOS_FROM`..`CHAOS_TO` with
 * `CHAOS_WORKER`/`CHAOS_WORKERS` (this worker takes every seed ≡ WORKER mod WORKERS, so slow scenarios
 * spread evenly); `CHAOS_SCENARIO` keeps only the seeds of one scenario; `CHAOS_NOTES=1` keeps the notes
 * of passing seeds too.
 */
function seeds(): number[] {
  const list = process.env.CHAOS_SEEDS
  if (list) return list.split(',').map(Number)
  const from = Number(process.env.CHAOS_FROM ?? 1)
  const to = Number(process.env.CHAOS_TO ?? from)
  const worker = Number(process.env.CHAOS_WORKER ?? 0)
  const workers = Number(process.env.CHAOS_WORKERS ?? 1)
  const out: number[] = []
  for (let seed = from; seed <= to; seed++) if ((seed - from) % workers === worker) out.push(seed)
  return out
}

test('chaos sweep', async () => {
  const out = process.env.CHAOS_OUT
  if (!out) throw new Error('CHAOS_OUT must name the file results are appended to')
  const keepNotes = process.env.CHAOS_NOTES === '1'
  const scenario = process.env.CHAOS_SCENARIO
  for (const seed of seeds()) {
    if (scenario && scheduleFor(seed).scenario !== scenario) continue
    const result = await runSeed(seed, { keepNotes })
    appendFileSync(out, `${JSON.stringify(result)}\n`)
  }
}, 86_400_000)
