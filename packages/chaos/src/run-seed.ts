import type { FaultKind } from './fault-kinds.js'
import { checkSockets } from './harness/leak-check.js'
import type { SeedContext } from './harness/seed-context.js'
import { beginProbe } from './oracle/resources.js'
import { type Violation, Violations } from './oracle/violation.js'
import { runTonStream } from './scenarios/ton-stream.js'
import { runTracker } from './scenarios/tracker.js'
import { runVenumWatch } from './scenarios/venum-watch.js'
import { describeSchedule, scheduleFor } from './schedule.js'
import type { ScenarioKind } from './schedule-types.js'

/** What one seed did and found. */
export interface SeedResult {
  readonly seed: number
  readonly scenario: ScenarioKind
  readonly faults: readonly FaultKind[]
  /** The schedule in one line. */
  readonly description: string
  readonly ok: boolean
  readonly violations: readonly Violation[]
  readonly durationMs: number
  readonly stats: Readonly<Record<string, number>>
  /** What happened, in order (kept only when asked for, or when the seed failed). */
  readonly notes: readonly string[]
}

/** A seed that takes this long is stuck; it is reported rather than left to hang the run. */
const SEED_DEADLINE_MS = 30_000

/** The one command that replays a seed, printed next to every failure. */
export const replayCommand = (seed: number): string => `pnpm chaos --seed ${seed}`

/**
 * Runs one seed: its schedule against fresh simulators, then the oracles. Never throws — a harness
 * exception is itself reported (invariant `harness`), so a broken seed cannot hide the others.
 */
export async function runSeed(seed: number, options: { keepNotes?: boolean } = {}): Promise<SeedResult> {
  const schedule = scheduleFor(seed)
  const started = Date.now()
  const violations = new Violations()
  const notes: string[] = []
  const probe = beginProbe()
  // Repeated diagnostics (a recovery can report hundreds of stale snapshots) are kept to a few per kind.
  const repeats = new Map<string, number>()
  const context: SeedContext = {
    seed,
    violations,
    probe,
    note: (line) => {
      const kind = /^(diagnostic|error) [\w-]+/.exec(line)?.[0]
      if (kind) {
        const count = (repeats.get(kind) ?? 0) + 1
        repeats.set(kind, count)
        if (count > 3) return
      }
      notes.push(`+${String(Date.now() - started).padStart(5)} ms ${line}`)
    },
    stats: {},
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const run =
      schedule.scenario === 'ton-stream'
        ? runTonStream(schedule, context)
        : schedule.scenario === 'venum-watch'
          ? runVenumWatch(schedule, context)
          : runTracker(schedule, context)
    const deadline = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), SEED_DEADLINE_MS)
    })
    if ((await Promise.race([run, deadline])) === 'stuck') {
      violations.add('harness', `the seed did not finish within ${SEED_DEADLINE_MS / 1000} s`)
    } else {
      await checkSockets(context)
    }
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
    violations.add('harness', `exception: ${text.split('\n').slice(0, 6).join('\n')}`)
  } finally {
    clearTimeout(timer)
    probe.end()
  }
  for (const [kind, count] of repeats) if (count > 3) notes.push(`(${count - 3} more "${kind}" left out)`)
  return {
    seed,
    scenario: schedule.scenario,
    faults: [...new Set(schedule.faults.map((fault) => fault.kind))],
    description: describeSchedule(schedule),
    ok: violations.ok,
    violations: violations.list,
    durationMs: Date.now() - started,
    stats: context.stats,
    notes: options.keepNotes || !violations.ok ? notes : [],
  }
}

/** A failure report for one seed: what it ran, what broke, and how to replay it. */
export function formatFailure(result: SeedResult): string {
  const lines = [`seed ${result.seed} FAILED (${result.durationMs} ms): ${result.description}`]
  for (const violation of result.violations) lines.push(`  [${violation.invariant}] ${violation.message}`)
  lines.push(`  replay: ${replayCommand(result.seed)}`)
  return lines.join('\n')
}
