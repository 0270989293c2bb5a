import type { TraceScopedNotification } from './protocol/notifications.js'

/** The notification types that carry a snapshot of one trace. */
export type TraceEventType = TraceScopedNotification['type']

/**
 * The facts (transaction hashes, or action ids) delivered at one finality: up to {@link SMALL_FACTS} of
 * them as one string, joined by newlines (a single fact is the string itself), more in a Set. One flat
 * string rather than a list of strings: the facts are most of what the gate keeps per trace, and an array
 * plus a string header per fact would double that.
 */
export type Facts = string | Set<string>
const SMALL_FACTS = 16
const NEWLINE = 10

/** Two bits per event type in {@link TraceRecord.ranks}: where each type's field starts. */
export const typeShift = (type: TraceEventType): number =>
  type === 'transactions' ? 0 : type === 'actions' ? 2 : 4
/** Where the held ranks start in {@link TraceRecord.ranks}, after the three delivered ones. */
export const HELD_SHIFT = 6
/** Every held rank of {@link TraceRecord.ranks}: non-zero while some type is held. */
export const HELD_MASK = 0b111111 << HELD_SHIFT
/** Where {@link TraceRecord.ranks} keeps the highest ranks the live stream itself sent, per type. */
export const LIVE_SHIFT = 12

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
   * `finalized` for recovery (bits 6–11, 0 = not held); then the highest rank the live stream sent of each
   * type, delivered or not (bits 12–17). Numbers rather than objects per type.
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

  constructor(public hash: string) {}

  /**
   * Makes this record a fresh one of trace `hash`. The gate recycles the record it evicts for the next new
   * trace: a stream of new traces then promotes no record object per event to the old generation (one
   * that the collector would have to find dead 50,000 traces later).
   */
  reuseFor(hash: string): this {
    this.hash = hash
    this.ranks = 0
    this.traceId = undefined
    this.transactions = undefined
    this.actions = undefined
    this.trace = undefined
    this.reportedOn = 0
    this.olderHeld = undefined
    this.newerHeld = undefined
    return this
  }
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

/** Whether `fact` can be one of a joined string's facts (not empty, no newline). */
const joinable = (fact: string): boolean => fact !== '' && fact.indexOf('\n') === -1

function hasFact(facts: Facts, fact: string): boolean {
  if (typeof facts !== 'string') return facts.has(fact)
  if (facts.length === fact.length) return facts === fact && joinable(fact)
  if (!joinable(fact)) return false
  // A whole line of the joined facts: bounded by the string's ends or newlines.
  for (let at = facts.indexOf(fact); at !== -1; at = facts.indexOf(fact, at + 1)) {
    const end = at + fact.length
    if (
      (at === 0 || facts.charCodeAt(at - 1) === NEWLINE) &&
      (end === facts.length || facts.charCodeAt(end) === NEWLINE)
    ) {
      return true
    }
  }
  return false
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

/** A list of facts as {@link Facts}: none, the one, the list joined, or a Set when large or not joinable. */
function factsFrom(list: string[]): Facts | undefined {
  if (list.length === 0) return undefined
  if (list.length === 1 && joinable(list[0]!)) return list[0]
  if (list.length > SMALL_FACTS || !list.every(joinable)) return new Set(list)
  return list.join('\n')
}

/**
 * The facts of a list of transactions (`key` 'hash') or actions (`key` 'action_id'), read in one loop: a
 * new trace's facts are computed on every event of a stream of new traces, and `map` with a callback plus
 * `every` cost half again as much as this.
 */
function factsOfList(list: readonly Record<string, string>[], key: 'hash' | 'action_id'): Facts | undefined {
  const count = list.length
  if (count === 0) return undefined
  const facts: string[] = new Array(count)
  let allJoinable = true
  for (let i = 0; i < count; i++) {
    const fact = list[i]![key]!
    facts[i] = fact
    if (allJoinable && !joinable(fact)) allJoinable = false
  }
  if (count === 1 && allJoinable) return facts[0]
  if (count > SMALL_FACTS || !allJoinable) return new Set(facts)
  return facts.join('\n')
}

/** The facts `notification` shows, for a type that had none at this rank. */
export function factsOf(notification: TraceScopedNotification): Facts | undefined {
  switch (notification.type) {
    case 'transactions':
      return factsOfList(notification.transactions as unknown as Record<string, string>[], 'hash')
    case 'actions':
      return factsOfList(notification.actions as unknown as Record<string, string>[], 'action_id')
    case 'trace':
      return factsFrom(Object.keys(notification.transactions))
  }
}

/** `facts` with every fact of `notification` added (a same-rank snapshot that brought news). */
export function withFactsOf(
  facts: Facts | undefined,
  notification: TraceScopedNotification,
): Facts | undefined {
  const added = factsOf(notification)
  if (added === undefined) return facts
  if (facts === undefined) return added
  const set = typeof facts === 'string' ? new Set(facts.split('\n')) : facts
  if (typeof added === 'string') for (const fact of added.split('\n')) set.add(fact)
  else for (const fact of added) set.add(fact)
  return typeof facts === 'string' ? factsFrom([...set]) : set
}
