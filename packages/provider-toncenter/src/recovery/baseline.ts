import type { Diagnostic } from '@chainstream/core'
import { finalityRank } from '../protocol/event-types.js'
import type { Backfill } from './backfill.js'
import { missingEndpoint } from './missing-endpoint.js'
import type { PreSubscriptionTraces, TypeRanks } from './pre-subscription.js'
import type { RecoverySettings } from './recovery-options.js'
import { traceEndUtime, traceFinality, traceHashOf, traceMcSeqnoEnd } from './trace-facts.js'
import { accountsOf } from './trace-notifications.js'
import type { V3Client } from './v3-client.js'
import { chunk, parallel, tracesById } from './v3-lookups.js'
import type { Watermarks } from './watermarks.js'
import { scanWindow } from './window-scan.js'

const FINALIZED = finalityRank('finalized')
const CONFIRMED = finalityRank('confirmed')

/** Accounts per baseline (one clock reading, one window scan). */
const ACCOUNT_BATCH = 50

/** What a baseline reads and writes. */
export interface BaselineDeps {
  readonly client: V3Client
  readonly watermarks: Watermarks
  readonly phantoms: PreSubscriptionTraces
  readonly backfill: Backfill
  readonly settings: RecoverySettings
  /** Accounts the stream is live on whose baselines are not complete yet. */
  readonly awaitingBaseline: { has(account: string): boolean }
}

/**
 * The finality rank at which a trace the baseline finds now is recorded as predating the subscription, or
 * `undefined` to record nothing (the trace is the subscription's). The look-ups come after the stream went
 * live on the accounts, so a trace that ended after the chain time reached then is the subscription's. For
 * a baseline taken late — the stream had been live on the accounts and lost its connection before their
 * baseline completed — the mark is the last live data before the drop, and a trace the live stream
 * delivered is recorded at most at the finality it was delivered at (what came later, in the gap, is the
 * subscription's). `rankAtMark` is the trace's finality at the mark as far as API v3 tells: below
 * finalized for a trace that ended before the mark but finalized in a block after it (see
 * {@link takeBaseline}), else `rankNow`.
 */
export type LateRank = (
  hash: string,
  endUtime: number,
  rankNow: number,
  rankAtMark: number,
) => number | TypeRanks | undefined

/**
 * Where the accounts of a baseline started being followed, as far as recovery knows it.
 *
 * - `mark()`: the chain time before which a trace the baseline finds may predate them, asked once the
 *   batch's clock look-up has answered (API v3 is up then). It may read the chain's clock itself; it
 *   resolves `undefined` when nothing tells (then everything found predates them at its finality now).
 * - `rank(mark)`: what may be recorded as predating them, for that mark (see {@link LateRank}).
 *
 * The accounts have been followed since the mark, so the window and the baseline recorded start there when
 * the chain is past it.
 */
export interface BaselineStart {
  mark(): Promise<number | undefined>
  rank(mark: number | undefined): LateRank | undefined
}

/**
 * Records where the stream starts following `accounts` (right after the subscription that added them was
 * acknowledged), per batch of 50:
 *
 * 1. the chain time of the batch's latest committed transaction — a reading of the chain's clock from its
 *    own data (`0` for accounts without history: then all of it is theirs);
 * 2. every committed trace of theirs within one horizon before that, with its finality now, in
 *    {@link PreSubscriptionTraces}: what recovery must not deliver as missed. Finalized ones whose every
 *    followed account predates them are marked settled, so no later window fetches them again.
 *
 * The accounts count as followed (recovery covers them) only once their batch is complete; an interrupted
 * baseline is taken again. `start` says what it may record (see {@link BaselineStart}).
 *
 * A trace that ended before the mark and is final now may have finalized only after it — while the
 * connection was down, or in the moment between going live and the baseline's answer, while the server
 * dropped frames (a stalled reader) or went silent — and then its final snapshot is the subscription's,
 * though the live stream never sent it. So the block the trace finalized in (`mc_seqno_end`) is compared
 * with the last masterchain block before the mark (one `/blocks` look-up per batch, only when such a trace
 * is found).
 *
 * The mark is the chain time since which the stream has followed the accounts (the chain time seen when they
 * went live, an estimate from the chain's clock, or the last live data before a drop). The chain may be far
 * past it by the time API v3 answers — a long outage, a backlog — so the window and the baseline recorded
 * start there rather than at the clock: a trace that ended in between is the subscription's, and neither
 * this window nor the gap's backfill (which never reaches before an account's baseline minus the horizon)
 * would cover it otherwise.
 */
export async function takeBaseline(
  deps: BaselineDeps,
  accounts: readonly string[],
  includeActions: boolean,
  signal: AbortSignal,
  report: (diagnostic: Diagnostic) => void,
  start: BaselineStart,
): Promise<void> {
  const { client, watermarks, phantoms, backfill, settings } = deps
  await parallel(chunk(accounts, ACCOUNT_BATCH), settings.concurrency, async (batch) => {
    const [latest] = await client.transactions({ account: batch, limit: 1, sort: 'desc' }, signal)
    const clock = latest?.now ?? 0
    const mark = await start.mark()
    const since = mark === undefined ? clock : Math.min(clock, mark)
    if (latest !== undefined) {
      const lateRank = start.rank(mark)
      const starts = new Map(batch.map((account) => [account, since - settings.horizonSeconds]))
      const ids = await scanWindow(client, starts, includeActions, settings, 'baseline', signal, report)
      const inBatch = new Set(batch)
      let blockAtMark: Promise<number | undefined | null> | undefined
      for (const trace of await tracesById(client, ids, settings.concurrency, signal)) {
        const hash = traceHashOf(trace)
        if (!hash) continue
        const rankNow = finalityRank(traceFinality(trace))
        const endUtime = traceEndUtime(trace)
        let rankAtMark = rankNow
        const finalBlock = traceMcSeqnoEnd(trace)
        if (mark !== undefined && rankNow === FINALIZED && endUtime <= mark && finalBlock) {
          // A block of the mark's own second may have come after the accounts went live: only one of an
          // earlier second surely came before.
          blockAtMark ??= client.lastBlockAt(mark - 1, signal).then((last) => {
            if (last === null) report(missingEndpoint('/blocks'))
            return last
          })
          const last = await blockAtMark
          // Without the endpoint (null) nothing tells: the trace counts as final before, as it is now.
          if (last === undefined || (last !== null && finalBlock > last)) rankAtMark = CONFIRMED
        }
        const rank = lateRank ? lateRank(hash, endUtime, rankNow, rankAtMark) : rankNow
        if (rank === undefined) continue
        const involved = accountsOf(trace)
        phantoms.record(
          hash,
          endUtime,
          [...involved].filter((account) => inBatch.has(account)),
          rank,
        )
        // Followed: with a baseline, or live and waiting for theirs (which may record less of the trace).
        const followed = [...involved].filter(
          (account) => inBatch.has(account) || watermarks.has(account) || deps.awaitingBaseline.has(account),
        )
        if (trace.trace_id && phantoms.finalizedBefore(hash, followed)) backfill.markSettled(trace.trace_id)
      }
    }
    if (!signal.aborted) {
      watermarks.setBaseline(batch, since)
      watermarks.see(clock)
    }
  })
}
