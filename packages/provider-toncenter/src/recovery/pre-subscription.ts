import { finalityRank } from '../protocol/event-types.js'

interface TraceRecord {
  /** Chain time of the trace's last transaction: the record is dropped once no window can reach it. */
  utime: number
  /** Per account: the finality rank the trace had when the stream started following that account. */
  ranks: Map<string, number>
}

const FINALIZED_RANK = finalityRank('finalized')

/**
 * How far each trace had got when the stream started following each of its accounts, as API v3 showed it
 * at that account's baseline. Recovery windows reach up to one horizon back in chain time, so without this
 * they would also find traces that settled *before* the subscription and deliver them as if missed
 * (phantoms).
 *
 * The rule, exact per (trace, account): recovery never delivers a snapshot at a finality at or below the
 * one recorded here, because a snapshot at that finality was emitted before the baseline — before the
 * subscription, or live on it. A higher one was emitted after, so it belongs to the subscription. Traces
 * committed only after the baseline are not recorded, and everything of theirs belongs to it.
 *
 * What this cannot tell apart: a snapshot emitted between the subscription's acknowledgement and the
 * baseline's look-up (moments apart) that the live stream lost; it is treated as predating the
 * subscription. When they are not moments apart and recovery has no chain time of its own for the
 * subscription, the baseline estimates one from the chain's clock (`GapRecovery`'s `#estimateMark`).
 */
export class PreSubscriptionTraces {
  readonly #traces = new Map<string, TraceRecord>()

  /** Records that trace `hash` was at `rank` when the stream started following `accounts`. */
  record(hash: string, utime: number, accounts: Iterable<string>, rank: number): void {
    let record = this.#traces.get(hash)
    if (!record) {
      record = { utime, ranks: new Map() }
      this.#traces.set(hash, record)
    }
    // A later baseline of the same account (removed, then added again) saw a later state: keep the highest.
    for (const account of accounts) record.ranks.set(account, Math.max(rank, record.ranks.get(account) ?? 0))
  }

  /** Whether trace `hash` at finality `rank` was already that way when the stream started following `account`. */
  predates(hash: string, account: string, rank: number): boolean {
    const recorded = this.#traces.get(hash)?.ranks.get(account)
    return recorded !== undefined && rank <= recorded
  }

  /** Whether trace `hash` was finalized before the stream followed each of `accounts`. */
  finalizedBefore(hash: string, accounts: Iterable<string>): boolean {
    const record = this.#traces.get(hash)
    if (!record) return false
    for (const account of accounts) if ((record.ranks.get(account) ?? 0) < FINALIZED_RANK) return false
    return true
  }

  /** Drops traces that ended before chain time `utime`: no window reaches them any more. */
  prune(utime: number): void {
    for (const [hash, record] of this.#traces) if (record.utime < utime) this.#traces.delete(hash)
  }
}
