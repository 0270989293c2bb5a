import { finalityRank } from '../protocol/event-types.js'

/** The event types the records tell apart (a `trace` snapshot is not anyone's in particular). */
export type RecordedType = 'transactions' | 'actions'

/** A finality rank per event type (0: nothing of that type recorded). */
export interface TypeRanks {
  readonly transactions: number
  readonly actions: number
}

interface TraceRecord {
  /** Chain time of the trace's last transaction: the record is dropped once no window can reach it. */
  utime: number
  /**
   * Per account: the finality rank the trace had, per type, when the stream started following that account
   * (`transactions` in bits 0–1, `actions` in bits 2–3: one number per account rather than an object).
   */
  ranks: Map<string, number>
}

const FINALIZED_RANK = finalityRank('finalized')
const ACTIONS_SHIFT = 2
const rankOf = (packed: number, type: RecordedType): number =>
  type === 'transactions' ? packed & 3 : (packed >> ACTIONS_SHIFT) & 3
const packed = (transactions: number, actions: number): number => transactions | (actions << ACTIONS_SHIFT)

/**
 * How far each trace had got when the stream started following each of its accounts, as API v3 showed it
 * at that account's baseline. Recovery windows reach up to one horizon back in chain time, so without this
 * they would also find traces that settled *before* the subscription and deliver them as if missed
 * (phantoms).
 *
 * The rule, exact per (trace, account, type): recovery never delivers a snapshot at a finality at or below the
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

  /**
   * Records that trace `hash` was at `rank` (in every type, or per type) when the stream started following
   * `accounts`.
   */
  record(hash: string, utime: number, accounts: Iterable<string>, rank: number | TypeRanks): void {
    let record = this.#traces.get(hash)
    if (!record) {
      record = { utime, ranks: new Map() }
      this.#traces.set(hash, record)
    }
    const transactions = typeof rank === 'number' ? rank : rank.transactions
    const actions = typeof rank === 'number' ? rank : rank.actions
    // A later baseline of the same account (removed, then added again) saw a later state: keep the highest.
    for (const account of accounts) {
      const before = record.ranks.get(account) ?? 0
      record.ranks.set(
        account,
        packed(
          Math.max(transactions, rankOf(before, 'transactions')),
          Math.max(actions, rankOf(before, 'actions')),
        ),
      )
    }
  }

  /**
   * Whether trace `hash`'s `type` snapshot at finality `rank` was already that way when the stream started
   * following `account`.
   */
  predates(hash: string, account: string, rank: number, type: RecordedType): boolean {
    const recorded = this.#traces.get(hash)?.ranks.get(account)
    return recorded !== undefined && rank <= rankOf(recorded, type)
  }

  /** Whether trace `hash` was finalized, in every type, before the stream followed each of `accounts`. */
  finalizedBefore(hash: string, accounts: Iterable<string>): boolean {
    const record = this.#traces.get(hash)
    if (!record) return false
    for (const account of accounts) {
      const recorded = record.ranks.get(account) ?? 0
      if (rankOf(recorded, 'transactions') < FINALIZED_RANK || rankOf(recorded, 'actions') < FINALIZED_RANK)
        return false
    }
    return true
  }

  /** Drops traces that ended before chain time `utime`: no window reaches them any more. */
  prune(utime: number): void {
    for (const [hash, record] of this.#traces) if (record.utime < utime) this.#traces.delete(hash)
  }
}
