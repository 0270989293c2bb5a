import { normalizeTonAddress } from '../protocol/address.js'
import type { TonNotification } from '../protocol/notifications.js'
import type { TonEventSource } from '../ton-event.js'

/**
 * Where recovery windows start, in **chain time** (unix seconds as the data carries them: a transaction's
 * `now`, an action's `end_utime`), never the local clock — the chain clock is the server's, and a local
 * clock that runs ahead or behind would move a window past data it must cover.
 *
 * - `live` — the latest chain time of committed (confirmed or finalized) data the **live stream** delivered,
 *   or of a baseline. A notification the stream lost (in flight when the connection dropped) was emitted
 *   after the last one that arrived, so at a chain time at or after `live`; its trace was not final just
 *   before, so it started at most one horizon earlier. A backfill window starting at `live − horizon`
 *   therefore holds every trace whose events may have been missed. Data from API v3 never moves `live`: it
 *   can be newer than a notification that was lost before it was fetched (a half-open socket keeps
 *   swallowing frames for a while).
 * - `seen` — the latest chain time of any committed data, live or fetched: a lower bound of the chain's
 *   clock now, which is what the periodic reconciliation measures its next window from.
 * - per account, the chain time of its **baseline** (when the stream started following it): no window of
 *   that account starts before it minus the horizon, which is as far back as the baseline looked for
 *   traces that finalized before the subscription.
 *
 * Pending snapshots never move a mark: their times are provisional.
 */
export class Watermarks {
  #live: number | undefined
  #seenAt: number | undefined
  readonly #baselines = new Map<string, number>()
  /** `live` when the connection was lost; kept until a backfill has covered the gap. */
  #gap: number | undefined
  #gapOpen = false

  /** Takes the chain time of a notification the stream delivered or received. */
  observe(notification: TonNotification, source: TonEventSource): void {
    const utime = committedUtimeOf(notification)
    if (utime === undefined) return
    this.see(utime)
    if (source === 'stream' && (this.#live === undefined || utime > this.#live)) this.#live = utime
  }

  /** Takes the chain time of committed data fetched from API v3. */
  see(utime: number): void {
    if (Number.isFinite(utime) && (this.#seenAt === undefined || utime > this.#seenAt)) this.#seenAt = utime
  }

  /** The latest chain time of any committed data so far. */
  get seen(): number | undefined {
    return this.#seenAt
  }

  /** Records the baseline of accounts that start being followed, taken at chain time `utime`. */
  setBaseline(accounts: readonly string[], utime: number): void {
    for (const account of accounts) if (!this.#baselines.has(account)) this.#baselines.set(account, utime)
    this.see(utime)
  }

  /** The chain time of `account`'s baseline, if it has one. */
  baselineOf(account: string): number | undefined {
    return this.#baselines.get(account)
  }

  /** Whether `account` has a baseline (the stream has followed it since then). */
  has(account: string): boolean {
    return this.#baselines.has(account)
  }

  /** Forgets accounts no longer subscribed: following one again starts from a new baseline. */
  forget(accounts: Iterable<string>): void {
    for (const account of accounts) this.#baselines.delete(normalizeSafe(account) ?? account)
  }

  /** The connection was lost: remember where the gap starts (the first loss wins until it is recovered). */
  markGapStart(): void {
    if (this.#gapOpen) return
    this.#gapOpen = true
    this.#gap = this.#live
  }

  /** Whether a gap is waiting for its backfill. */
  get gapPending(): boolean {
    return this.#gapOpen
  }

  /** Where the pending gap starts (or the current live mark when none is pending). */
  gapStart(): number | undefined {
    return this.#gapOpen ? this.#gap : this.#live
  }

  /** The gap was recovered. */
  clearGap(): void {
    this.#gapOpen = false
    this.#gap = undefined
  }
}

/** The latest chain time of a confirmed or finalized snapshot, if it is one. */
export function committedUtimeOf(notification: TonNotification): number | undefined {
  if (notification.type === 'transactions' || notification.type === 'trace') {
    if (notification.finality === 'pending') return undefined
    let latest: number | undefined
    if (notification.type === 'transactions') {
      for (const tx of notification.transactions) if (latest === undefined || tx.now > latest) latest = tx.now
      return latest
    }
    // A whole trace: walked in place rather than copied into an array first.
    const byHash = notification.transactions
    for (const hash in byHash) {
      const tx = Object.hasOwn(byHash, hash) ? byHash[hash] : undefined
      if (tx && (latest === undefined || tx.now > latest)) latest = tx.now
    }
    return latest
  }
  if (notification.type === 'actions') {
    if (notification.finality === 'pending') return undefined
    let latest: number | undefined
    for (const action of notification.actions) {
      if (latest === undefined || action.end_utime > latest) latest = action.end_utime
    }
    return latest
  }
  return undefined
}

function normalizeSafe(account: string): string | undefined {
  try {
    return normalizeTonAddress(account)
  } catch {
    return undefined
  }
}
