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
// shows each tier of a tail, as a real one would (seconds apart).
const TIME_SCALE = 10
// How often a scripted story checks whether its signature is watched yet.
const WATCHED_POLL_MS = 20

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

const FAILURE = 'InstructionError: [0, Custom(6001)]'

/** The statuses a scripted signature goes through, one step apart. */
function steps(outcome: Exclude<SimulatedOutcome, 'invalidated'>) {
  switch (outcome) {
    case 'success':
      return ['landed', 'processed', 'confirmed', 'finalized'] as const
    case 'failure':
      return ['landed', 'failed'] as const
    case 'stalled':
      return ['landed'] as const
  }
}

/**
 * Scripts `signature` to end as `outcome`. It is registered at once (the simulator gives a signature its
 * own story when it first hears of it) and moved by `play()` only once a stream watches it: Venum never
 * reports a past `landed` to a new watcher, so a story that ran ahead of the subscription would lose it.
 *
 * @throws {ChainstreamError} `InvalidArgument` for `invalidated`, which Solana does not have.
 */
export function scriptSolanaSignature(
  simulation: SolanaSimulation,
  outcome: SimulatedOutcome,
  signature: string,
) {
  const { simulator } = simulation
  if (outcome === 'invalidated') throw usageError(SOLANA_HAS_NO_INVALIDATION)
  simulator.addSignature(signature, 'manual')
  const watched = () =>
    simulator.streamRequests.some(
      (request) => request.status === 200 && request.signatures.includes(signature),
    )
  return {
    async play(signal: AbortSignal): Promise<void> {
      // Aborts end the waits early; they are not errors here.
      while (!signal.aborted && !watched()) {
        await sleep(WATCHED_POLL_MS, undefined, { signal }).catch(() => {})
      }
      for (const status of steps(outcome)) {
        await sleep(SIMULATED_STEP_MS, undefined, { signal }).catch(() => {})
        if (signal.aborted) return
        simulator.advance(signature, status, status === 'failed' ? { err: FAILURE } : {})
      }
    },
  }
}
