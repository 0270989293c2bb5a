import { setTimeout as sleep } from 'node:timers/promises'
import type { VenumSimulator } from '@chainstream/testkit'
import { usageError } from '../usage.js'
import { SIMULATED_STEP_MS, type SimulatedOutcome } from './simulated-outcome.js'

/** A Venum simulator running in this process (`/v1/stream/tx` and `/v1/tx/:signature` on loopback). */
export interface SolanaSimulation {
  readonly simulator: VenumSimulator
  /** A valid signature the simulator makes up, for commands given none. */
  signature(n: number): string
  close(): Promise<void>
}

// The simulator's clock at 1 runs a transaction to finalized in a fraction of a second; ten times slower
// shows each tier on the live view, as a real one would (seconds apart).
const TIME_SCALE = 10

/**
 * Starts the testkit's Venum simulator; imported only here, so a run against Venum never loads it.
 * Signatures nobody scripted get a seeded story (mostly successes, some failures and stalls).
 */
export async function startSolanaSimulation(seed: number): Promise<SolanaSimulation> {
  const { createVenumSimulator, venumSignature } = await import('@chainstream/testkit')
  const simulator = await createVenumSimulator({
    seed,
    timeScale: TIME_SCALE,
    heartbeatIntervalMs: 5_000,
    lifecycles: { success: 6, failure: 2, 'verify-timeout': 1 },
  })
  return { simulator, signature: (n) => venumSignature(n, seed), close: () => simulator.close() }
}

/** Why `--simulate-outcome invalidated` is refused for Solana. */
export const SOLANA_HAS_NO_INVALIDATION =
  'Solana has no invalidation: --simulate-outcome for solana is success, failure or stalled.'

/**
 * Scripts `signature` to end as `outcome` (before anything watches it: the simulator gives a signature
 * its story when it first hears of it). `play()` drives the stalled story: landed, then nothing.
 *
 * @throws {ChainstreamError} `InvalidArgument` for `invalidated`, which Solana does not have.
 */
export function scriptSolanaSignature(
  simulation: SolanaSimulation,
  outcome: SimulatedOutcome,
  signature: string,
) {
  const { simulator } = simulation
  if (outcome === 'invalidated') {
    throw usageError(SOLANA_HAS_NO_INVALIDATION)
  }
  simulator.addSignature(signature, outcome === 'stalled' ? 'manual' : outcome)
  return {
    async play(signal: AbortSignal): Promise<void> {
      if (outcome !== 'stalled') return
      // An abort ends the wait early, it is not an error here.
      await sleep(SIMULATED_STEP_MS, undefined, { signal }).catch(() => {})
      if (!signal.aborted) simulator.advance(signature, 'landed')
    },
  }
}
