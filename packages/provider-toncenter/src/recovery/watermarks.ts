import { normalizeTonAddress } from '../protocol/address.js'
import type { TonNotification } from '../protocol/notifications.js'

/**
 * Per account, the highest logical time of a committed (confirmed or finalized) transaction delivered so
 * far: where a backfill after a reconnect starts. LT grows monotonically per account, so "after this LT"
 * is exact for that account, unlike wall-clock time. Pending snapshots are ignored: their LTs are
 * provisional.
 */
export class Watermarks {
  private readonly lts = new Map<string, bigint>()
  /** The watermarks when the connection was lost; kept until a recovery has used it. */
  private gapStart: Map<string, bigint> | undefined

  /** Raises watermarks from a delivered notification. */
  observe(notification: TonNotification): void {
    if (notification.type === 'transactions') {
      if (notification.finality === 'pending') return
      for (const tx of notification.transactions) this.raise(tx.account, tx.lt)
    } else if (notification.type === 'actions') {
      if (notification.finality === 'pending') return
      // An action's start LT is at or below each of its transactions: a safe (never too late) mark.
      for (const action of notification.actions) {
        for (const account of action.accounts ?? [])
          if (this.lts.has(account)) this.raise(account, action.start_lt)
      }
    }
  }

  /** Raises the watermark of `account` to `lt` if higher. */
  raise(account: string, lt: string | bigint): void {
    let value: bigint
    try {
      value = typeof lt === 'bigint' ? lt : BigInt(lt)
    } catch {
      return
    }
    const key = normalizeSafe(account)
    if (key === undefined) return
    const current = this.lts.get(key)
    if (current === undefined || value > current) this.lts.set(key, value)
  }

  /** Sets the starting point of an account that had none (its baseline). */
  setBaseline(account: string, lt: bigint): void {
    if (!this.lts.has(account)) this.lts.set(account, lt)
  }

  has(account: string): boolean {
    return this.lts.has(account)
  }

  /** Forgets accounts no longer subscribed. */
  forget(accounts: Iterable<string>): void {
    for (const account of accounts) this.lts.delete(account)
  }

  /** The connection was lost: remember where the gap starts (the first loss wins until it is recovered). */
  markGapStart(): void {
    this.gapStart ??= new Map(this.lts)
  }

  /** Where the pending gap starts (or the current marks when none is pending). */
  gapStartOf(account: string): bigint | undefined {
    return (this.gapStart ?? this.lts).get(account)
  }

  /** The gap was recovered. */
  clearGap(): void {
    this.gapStart = undefined
  }
}

function normalizeSafe(account: string): string | undefined {
  try {
    return normalizeTonAddress(account)
  } catch {
    return undefined
  }
}
