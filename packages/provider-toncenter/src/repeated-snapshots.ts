import type { TonEvent } from './ton-event.js'
import { bringsNewFacts, type Facts } from './trace-record.js'

/**
 * Snapshots delivered a second time at the same finality because they bring new facts (a recovery that
 * could first show only some accounts' part of a trace, then all of it), with the facts delivered before.
 * The connection is shared: a consumer whose own part was all there before must not get the snapshot
 * again. Weak: an entry lives as long as its event object, and only repeats have one.
 */
const repeated = new WeakMap<object, Facts>()

/** Notes that `event` repeats a finality already delivered, whose facts were `before`. */
export function markRepeat(event: TonEvent, before: Facts): void {
  repeated.set(event, before)
}

/**
 * Whether a consumer's part `mine` of the shared `event` shows it nothing new: `event` is a repeat, and
 * every fact of `mine` was delivered before.
 */
export function nothingNewIn(event: TonEvent, mine: TonEvent): boolean {
  const before = repeated.get(event)
  if (before === undefined) return false
  if (mine.type !== 'transactions' && mine.type !== 'actions' && mine.type !== 'trace') return false
  return !bringsNewFacts(before, mine)
}
