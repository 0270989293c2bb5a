import type { TraceScopedNotification } from './protocol/notifications.js'

/** The notification types that carry a snapshot of one trace. */
export type TraceEventType = TraceScopedNotification['type']

/**
 * The facts (transaction hashes, or action ids) delivered at one finality: a single fact as the string
 * itself, a few in an array, many in a Set. Most snapshots hold one or a few, and a container per trace
 * would be most of the record's memory.
 */
export type Facts = string | string[] | Set<string>
const SMALL_FACTS = 16

/** Two bits per event type in {@link TraceRecord.ranks}: where each type's field starts. */
export const typeShift = (type: TraceEventType): number =>
  type === 'transactions' ? 0 : type === 'actions' ? 2 : 4
/** Where the held ranks start in {@link TraceRecord.ranks}, after the three delivered ones. */
export const HELD_SHIFT = 6
/** Every held rank of {@link TraceRecord.ranks}: non-zero while some type is held. */
export const HELD_MASK = 0b111111 << HELD_SHIFT

/** The 2-bit field at `shift` of `ranks`. */
export const rankAt = (ranks: number, shift: number): number => (ranks >> shift) & 3
/** `ranks` with its 2-bit field at `shift` set to `rank`. */
export const withRankAt = (ranks: number, shift: number, rank: number): number =>
  (ranks & ~(3 << shift)) | (rank << shift)

/**
 * Everything kept about one trace, in one object behind one map entry: what the finality gate delivered
 * (rank and facts per event type), whether it is held for recovery (and its place in the held order), and
 * which connection the server will report its fate on. One lookup per event instead of one per concern.
 */
export class TraceRecord {
  /**
   * Per event type, two bits each: the rank delivered (bits 0–5, 0 = nothing yet) and the rank held below
   * `finalized` for recovery (bits 6–11, 0 = not held). Numbers rather than objects per type.
   */
  ranks = 0
  /** API v3 trace id, when a snapshot carried one. */
  traceId: string | undefined = undefined
  /** Facts delivered at the delivered rank, per event type. */
  transactions: Facts | undefined = undefined
  actions: Facts | undefined = undefined
  trace: Facts | undefined = undefined
  /** The connection whose live stream sent a non-final snapshot of it (0: none since the last end). */
  reportedOn = 0
  /** Neighbours in the held order (oldest first), while held. */
  olderHeld: TraceRecord | undefined = undefined
  newerHeld: TraceRecord | undefined = undefined

  constructor(readonly hash: string) {}
}

/** The facts recorded for `type` in `record`. */
export function factsIn(record: TraceRecord, type: TraceEventType): Facts | undefined {
  return type === 'transactions' ? record.transactions : type === 'actions' ? record.actions : record.trace
}

/** Stores `facts` for `type` in `record`. */
export function setFacts(record: TraceRecord, type: TraceEventType, facts: Facts | undefined): void {
  if (type === 'transactions') record.transactions = facts
  else if (type === 'actions') record.actions = facts
  else record.trace = facts
}

function hasFact(facts: Facts, fact: string): boolean {
  if (typeof facts === 'string') return facts === fact
  return Array.isArray(facts) ? facts.includes(fact) : facts.has(fact)
}

/** `facts` with `fact` added (in place when it is a container, grown into a larger one when needed). */
function addFact(facts: Facts | undefined, fact: string): Facts {
  if (facts === undefined) return fact
  if (typeof facts === 'string') return facts === fact ? facts : [facts, fact]
  if (Array.isArray(facts)) {
    if (facts.includes(fact)) return facts
    facts.push(fact)
    return facts.length > SMALL_FACTS ? new Set(facts) : facts
  }
  facts.add(fact)
  return facts
}

/**
 * Whether `notification` shows a fact not in `facts`: read in place from the notification, with no list
 * of its facts built per event.
 */
export function bringsNewFacts(facts: Facts | undefined, notification: TraceScopedNotification): boolean {
  switch (notification.type) {
    case 'transactions': {
      const list = notification.transactions
      if (facts === undefined) return list.length > 0
      for (let i = 0; i < list.length; i++) if (!hasFact(facts, list[i]!.hash)) return true
      return false
    }
    case 'actions': {
      const list = notification.actions
      if (facts === undefined) return list.length > 0
      for (let i = 0; i < list.length; i++) {
        if (!hasFact(facts, list[i]!.action_id)) return true
      }
      return false
    }
    case 'trace': {
      const byHash = notification.transactions
      for (const hash in byHash) {
        if (Object.hasOwn(byHash, hash) && (facts === undefined || !hasFact(facts, hash))) return true
      }
      return false
    }
  }
}

const hashOf = (tx: { hash: string }): string => tx.hash
const actionIdOf = (action: { action_id: string }): string => action.action_id

/** A list of facts as {@link Facts}: none, the one, the list itself, or a Set when large. */
function factsFrom(list: string[]): Facts | undefined {
  if (list.length <= 1) return list[0]
  return list.length > SMALL_FACTS ? new Set(list) : list
}

/** The facts `notification` shows, for a type that had none at this rank (an exact-size list at most). */
export function factsOf(notification: TraceScopedNotification): Facts | undefined {
  switch (notification.type) {
    case 'transactions':
      return factsFrom(notification.transactions.map(hashOf))
    case 'actions':
      return factsFrom(notification.actions.map(actionIdOf))
    case 'trace':
      return factsFrom(Object.keys(notification.transactions))
  }
}

/** `facts` with every fact of `notification` added (a same-rank snapshot that brought news). */
export function withFactsOf(
  facts: Facts | undefined,
  notification: TraceScopedNotification,
): Facts | undefined {
  let out = facts
  switch (notification.type) {
    case 'transactions':
      for (const tx of notification.transactions) out = addFact(out, tx.hash)
      return out
    case 'actions':
      for (const action of notification.actions) out = addFact(out, action.action_id)
      return out
    case 'trace': {
      const byHash = notification.transactions
      for (const hash in byHash) if (Object.hasOwn(byHash, hash)) out = addFact(out, hash)
      return out
    }
  }
}
