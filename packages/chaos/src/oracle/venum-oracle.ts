import type { VenumUpdate } from '@chainstream/provider-venum-solana'
import { type SignatureChain, VENUM_RANK } from '../harness/venum-chain.js'
import type { Settled } from '../harness/wait.js'
import type { Violations } from './violation.js'

const NEUTRAL_RANK: Readonly<Record<string, number>> = {
  unknown: 0,
  pending: 1,
  included: 2,
  confirmed: 3,
  finalized: 4,
}
const UNKNOWN_ENDINGS = new Set(['timeout', 'verify-timeout', 'error'])

/** Per signature: order, uniqueness, exactly one `done`, and agreement with what the chain did. */
export function checkVenumUpdates(
  chains: ReadonlyMap<string, SignatureChain>,
  updates: ReadonlyMap<string, readonly VenumUpdate[]>,
  strongest: string,
  violations: Violations,
): void {
  for (const [signature, chain] of chains) {
    const list = updates.get(signature) ?? []
    const short = signature.slice(0, 10)
    let best = 0
    let bestName = ''
    const seen = new Set<string>()
    let done = 0
    for (const [i, update] of list.entries()) {
      if (done > 0) {
        violations.add(
          'terminal-count',
          `${short}: ${update.status} (from ${update.source}) after its done update`,
        )
      }
      if (update.done) done++
      if (seen.has(update.status)) {
        violations.add(
          'duplicate',
          `${short}: ${update.status} delivered twice (second from ${update.source})`,
        )
      }
      seen.add(update.status)
      const rank = NEUTRAL_RANK[update.tier] ?? 0
      if (rank < best) {
        violations.add(
          'regression',
          `${short}: tier ${update.tier} (${update.status}, ${update.source}) after ${bestName}`,
        )
      }
      if (rank > best) {
        best = rank
        bestName = update.tier
      }
      if (update.status in VENUM_RANK && !chain.canHaveReached(update.status)) {
        violations.add(
          'phantom',
          `${short}: ${update.status} (from ${update.source}) — the chain never got there (${describe(chain)})`,
        )
      }
      if (update.outcome === 'success' && chain.failed) {
        violations.add(
          'wrong-outcome',
          `${short}: outcome success at ${update.status} (from ${update.source}) for a failed transaction`,
        )
      }
      if ((update.status === 'failed' || update.outcome === 'failure') && !chain.failed) {
        violations.add(
          'wrong-outcome',
          `${short}: reported failed (from ${update.source}) but the chain did not fail (${describe(chain)})`,
        )
      }
      if (UNKNOWN_ENDINGS.has(update.status) && update.outcome !== 'unknown') {
        violations.add(
          'wrong-outcome',
          `${short}: ${update.status} with outcome ${update.outcome}; must be unknown`,
        )
      }
      if (i === list.length - 1 && !update.done && done === 0) {
        violations.add(
          'terminal-count',
          `${short}: no done update; the last was ${update.status} (${describe(chain)})`,
        )
      }
    }
    if (list.length === 0) violations.add('terminal-count', `${short}: no update at all (${describe(chain)})`)
    if (done > 1) violations.add('terminal-count', `${short}: ${done} done updates`)
    const last = list.at(-1)
    if (!last?.done) continue
    // How the story must end, given what the chain did.
    if (chain.succeeds && (VENUM_RANK[last.status] ?? 0) < (VENUM_RANK[strongest] ?? 0)) {
      violations.add(
        'wrong-outcome',
        `${short}: ended ${last.status} (from ${last.source}); the transaction succeeded, the watch's target is ${strongest}`,
      )
    } else if (chain.failed && last.status !== 'failed') {
      violations.add(
        'wrong-outcome',
        `${short}: ended ${last.status} (from ${last.source}); the transaction failed`,
      )
    } else if (chain.endsUnknown && !UNKNOWN_ENDINGS.has(last.status) && !(last.status in VENUM_RANK)) {
      violations.add(
        'wrong-outcome',
        `${short}: ended ${last.status}; expected an unknown-outcome ending (${describe(chain)})`,
      )
    }
  }
}

/** One `waitFor` as the schedule made it. */
export interface VenumWait {
  readonly chain: SignatureChain
  readonly tier: string
  readonly settled: Settled<VenumUpdate>
  /** {@link nextOrder} when its signal was aborted, if it was. */
  abortedOrder?: number
}

/** A wait resolves only on success at its tier; rejects typed; never resolves after an abort. */
export function checkVenumWaits(waits: readonly VenumWait[], violations: Violations): void {
  for (const wait of waits) {
    const { chain, tier, settled } = wait
    const short = chain.signature.slice(0, 10)
    const code = (settled.error as { code?: string } | undefined)?.code
    if (settled.state === 'pending') {
      violations.add('terminal-count', `waitFor(${short}, ${tier}) never settled (${describe(chain)})`)
      continue
    }
    if (
      wait.abortedOrder !== undefined &&
      settled.state === 'resolved' &&
      (settled.order ?? 0) > wait.abortedOrder
    ) {
      violations.add('abort-resolved', `waitFor(${short}, ${tier}) resolved after its signal was aborted`)
    }
    if (settled.state === 'resolved') {
      const update = settled.value as VenumUpdate
      if (update.outcome === 'failure' || update.status === 'failed') {
        violations.add(
          'wrong-outcome',
          `waitFor(${short}, ${tier}) resolved with a failure (${update.status})`,
        )
      } else if ((VENUM_RANK[update.status] ?? 0) < (VENUM_RANK[tier] ?? 0)) {
        violations.add(
          'wrong-outcome',
          `waitFor(${short}, ${tier}) resolved at ${update.status}, below its tier`,
        )
      } else if (!chain.canHaveReached(tier)) {
        violations.add(
          'phantom',
          `waitFor(${short}, ${tier}) resolved; the chain never reached ${tier} (${describe(chain)})`,
        )
      }
      continue
    }
    if (code === 'TransactionFailed' && !chain.failed) {
      violations.add(
        'wrong-outcome',
        `waitFor(${short}, ${tier}) rejected TransactionFailed; the chain did not fail`,
      )
    } else if (code === 'Aborted' && wait.abortedOrder === undefined) {
      violations.add('wrong-outcome', `waitFor(${short}, ${tier}) rejected Aborted without an abort`)
    } else if (code !== 'Aborted' && code !== 'TransactionFailed' && wait.abortedOrder === undefined) {
      violations.add(
        'wrong-outcome',
        `waitFor(${short}, ${tier}) rejected ${code ?? String(settled.error)}; the chain ${describe(chain)}`,
      )
    } else if (chain.failed && code !== 'TransactionFailed' && code !== 'Aborted') {
      violations.add('wrong-outcome', `waitFor(${short}, ${tier}) rejected ${code}; the transaction failed`)
    }
  }
}

function describe(chain: SignatureChain): string {
  return chain.path
    ? `manual ${chain.path}: ${chain.reached.join('→') || 'nothing'}`
    : `lifecycle ${chain.lifecycle ?? 'unseen'}`
}
