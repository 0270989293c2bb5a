/**
 * How `track --simulate` scripts the transaction, so every exit code can be seen without a chain:
 * `success` (exit 0), `failure` and `invalidated` (exit 1), `stalled` — it never reaches the target tier,
 * so `--timeout` ends the run (exit 2). Solana has no invalidation.
 */
export const SIMULATED_OUTCOMES = ['success', 'failure', 'invalidated', 'stalled'] as const

/** One of {@link SIMULATED_OUTCOMES}. */
export type SimulatedOutcome = (typeof SIMULATED_OUTCOMES)[number]

/** Time between two scripted steps of a simulated transaction: slow enough to watch the timeline move. */
export const SIMULATED_STEP_MS = 600

/** A seed for a simulator run when none is given: a different story each run, reproducible with `--seed`. */
export function defaultSeed(): number {
  return Date.now() % 1_000_000
}
