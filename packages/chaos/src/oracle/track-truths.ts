import type { TonSimulator } from '@chainstream/testkit'
import type { SignatureChain } from '../harness/venum-chain.js'
import type { TrackTruth } from './tracker-oracle.js'

const TON_TIER: Readonly<Record<string, string>> = {
  pending: 'pending',
  confirmed: 'confirmed',
  finalized: 'finalized',
}

/** What the TON simulator's ledger says happened to a tracked trace: what its track must end with. */
export function traceTruth(sim: TonSimulator, hash: string): TrackTruth {
  const trace = sim.ledger.trace(hash)
  if (!trace) {
    return {
      highestTier: 'unknown',
      ending: 'invalidated',
      failed: false,
      owedOnlyIfSeen: true,
      describe: 'not in the ledger',
    }
  }
  return {
    highestTier: TON_TIER[trace.finality ?? ''] ?? 'unknown',
    ending: trace.status === 'invalidated' ? 'invalidated' : 'finalized',
    failed: trace.failed,
    owedOnlyIfSeen: trace.status === 'invalidated',
    describe: `${trace.stages.join('→')}${trace.failed ? ' (failed)' : ''}`,
  }
}

/** What a Solana signature moved by the schedule ends with: its chain's path, as far as it went. */
export function signatureTruth(chain: SignatureChain): TrackTruth {
  const failed = chain.failed
  return {
    highestTier: failed ? 'pending' : 'finalized',
    ending: failed ? 'failed' : 'finalized',
    failed,
    owedOnlyIfSeen: false,
    describe: `${chain.path}: ${chain.reached.join('→')}`,
  }
}
