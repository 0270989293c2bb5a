import { OldestFirst } from './oldest-first.js'
import { finalityRank, type TonFinality } from './protocol/event-types.js'
import type { TonNotification, TraceScopedNotification } from './protocol/notifications.js'

/** What the gate decided about one notification. */
export type GateVerdict =
  /** Deliver it. */
  | { readonly pass: true }
  /** Drop it silently: a repeat of what was delivered (same finality, no new facts). */
  | { readonly pass: false; readonly reason: 'duplicate' }
  /** Drop it and report: a lower finality after a higher one, or an invalidation after `finalized`. */
  | { readonly pass: false; readonly reason: 'stale'; readonly message: string }

/** The notification types that carry a snapshot of one trace. */
export type TraceEventType = TraceScopedNotification['type']

const TRACE_EVENT_TYPES: readonly TraceEventType[] = ['transactions', 'actions', 'trace']

interface SnapshotRecord {
  rank: number
  /**
   * Transaction hashes (or action ids) delivered at `rank`: a same-rank snapshot with others is news. A
   * plain array while small (most snapshots hold a few): a Set per trace would be most of the gate's memory.
   */
  facts: Facts
}

/** A snapshot's facts: an array up to {@link SMALL_FACTS}, a Set beyond (membership in constant time). */
type Facts = string[] | Set<string>
const SMALL_FACTS = 16

/** One trace's records, per event type: one Map entry per trace, no `type hash` key string per event. */
interface TraceRecords {
  transactions: SnapshotRecord | undefined
  actions: SnapshotRecord | undefined
  trace: SnapshotRecord | undefined
}

const factsFrom = (list: string[]): Facts => (list.length > SMALL_FACTS ? new Set(list) : list)
const hasFact = (facts: Facts, fact: string): boolean =>
  Array.isArray(facts) ? facts.includes(fact) : facts.has(fact)

/**
 * A trace with at least one event type delivered below `finalized`: until it finalizes (in that type) or
 * is invalidated, recovery watches it.
 */
export interface HeldTrace {
  readonly hash: string
  /** API v3 trace id, when a snapshot carried one. */
  readonly traceId: string | undefined
  /** Each event type delivered below `finalized`, with the finality delivered. */
  readonly types: ReadonlyMap<TraceEventType, TonFinality>
  /** The lowest finality among `types`: what a re-check must beat. */
  readonly finality: TonFinality
}

interface HeldEntry {
  traceId: string | undefined
  /**
   * The rank delivered per event type below `finalized`, two bits each (0 = not held) at the type's
   * index in {@link TRACE_EVENT_TYPES}: a number rather than a Map per held trace.
   */
  ranks: number
}

const typeShift = (type: TraceEventType): number => (type === 'transactions' ? 0 : type === 'actions' ? 2 : 4)
const rankIn = (ranks: number, type: TraceEventType): number => (ranks >> typeShift(type)) & 3
const withRank = (ranks: number, type: TraceEventType, rank: number): number =>
  (ranks & ~(3 << typeShift(type))) | (rank << typeShift(type))

const PASS: GateVerdict = { pass: true }
const DUPLICATE: GateVerdict = { pass: false, reason: 'duplicate' }
const FINALIZED_RANK = finalityRank('finalized')

/** Options of {@link FinalityGate}. */
export interface FinalityGateOptions {
  /** Deliver every snapshot, even repeats and regressions (bookkeeping for recovery still runs). */
  keepAllSnapshots?: boolean
  /** Traces remembered for dedupe; the oldest are forgotten beyond this. @default 50_000 */
  capacity?: number
}

/**
 * Makes finality monotonic per (trace, event type): a snapshot at a lower finality than one already
 * delivered for the same type is dropped with a diagnostic, and one at the same finality that brings nothing
 * new is dropped silently. An invalidation ends the trace's story (it may reappear later, from scratch); one
 * after `finalized` is an anomaly.
 *
 * It also keeps what recovery watches: per trace, the event types delivered below `finalized`. Finality is
 * tracked per type, not per trace, because the server sends a trace's `transactions`, `actions` and `trace`
 * snapshots as separate frames: a connection can drop between the finalized `transactions` and the finalized
 * `actions` of one trace, and the trace must stay watched for the type that is still short of final.
 */
export class FinalityGate {
  private readonly snapshots = new Map<string, TraceRecords>()
  private readonly held = new Map<string, HeldEntry>()
  /** Traces with some type delivered at `finalized`: the server has finalized them, so none can be invalidated. */
  private readonly finalized = new Map<string, true>()
  private readonly invalidated = new Map<string, true>()
  /** API v3 trace id → trace hash, as snapshots showed them. */
  private readonly hashes = new Map<string, string>()
  private readonly keepAll: boolean
  private readonly capacity: number
  /** Each bounded map's eviction order (see {@link OldestFirst}). */
  private readonly oldest = new Map<Map<string, unknown>, OldestFirst<string>>([
    [this.snapshots, new OldestFirst(this.snapshots)],
    [this.finalized, new OldestFirst(this.finalized)],
    [this.invalidated, new OldestFirst(this.invalidated)],
    [this.hashes, new OldestFirst(this.hashes)],
  ])
  private readonly oldestHeld = new OldestFirst(this.held)
  private heldLimit = Number.POSITIVE_INFINITY
  private onHeldOverflow: ((hash: string) => void) | undefined

  constructor(options: FinalityGateOptions = {}) {
    this.keepAll = options.keepAllSnapshots === true
    this.capacity = options.capacity ?? 50_000
  }

  /**
   * Decides whether `notification` is delivered, and records it when it is. `live` says it came from the
   * stream itself: only the server, live, can bring an invalidated trace back (TON may retry it); a
   * recovered snapshot of an invalidated trace was taken before the invalidation and would resurrect it.
   */
  admit(notification: TonNotification, live = true): GateVerdict {
    switch (notification.type) {
      case 'transactions':
      case 'actions':
      case 'trace':
        if (!live && this.invalidated.has(notification.trace_external_hash_norm) && !this.keepAll) {
          return {
            pass: false,
            reason: 'stale',
            message: `A recovered ${notification.finality} ${notification.type} snapshot of trace ${notification.trace_external_hash_norm}, which was invalidated; dropped`,
          }
        }
        return this.admitSnapshot(notification)
      case 'trace_invalidated':
        return this.admitInvalidation(notification.trace_external_hash_norm)
      default:
        return PASS
    }
  }

  /**
   * Bounds the held traces: beyond `limit`, the oldest held trace is released (no longer held, its dedupe
   * records kept) and `onOverflow` is told which.
   */
  limitHeld(limit: number, onOverflow: (hash: string) => void): void {
    this.heldLimit = limit
    this.onHeldOverflow = onOverflow
    this.trimHeld()
  }

  /** Traces with some event type delivered below `finalized`, oldest first. */
  heldTraces(): HeldTrace[] {
    const out: HeldTrace[] = []
    for (const [hash, entry] of this.held) {
      const types = new Map<TraceEventType, TonFinality>()
      let lowest = FINALIZED_RANK
      for (const type of TRACE_EVENT_TYPES) {
        const rank = rankIn(entry.ranks, type)
        if (rank === 0) continue
        types.set(type, rankName(rank))
        if (rank < lowest) lowest = rank
      }
      out.push({ hash, traceId: entry.traceId, types, finality: rankName(lowest) })
    }
    return out
  }

  /** Whether nothing was delivered yet (nor any invalidation). */
  get isEmpty(): boolean {
    return this.snapshots.size === 0 && this.invalidated.size === 0 && this.finalized.size === 0
  }

  /** How many traces are held. */
  get heldCount(): number {
    return this.held.size
  }

  /** Whether some event type of `hash` is held below `finalized`. */
  isHeld(hash: string): boolean {
    return this.held.has(hash)
  }

  /** Stops holding `hash` (recovery gave up watching it); what was delivered is still remembered for dedupe. */
  release(hash: string): void {
    this.held.delete(hash)
  }

  /**
   * The highest finality delivered for `hash` in `type`, or in any type when `type` is omitted (finalized as
   * soon as one type was: the server finalizes a trace as a whole).
   */
  finalityOf(hash: string, type?: TraceEventType): TonFinality | undefined {
    if (type !== undefined) {
      const record = this.snapshots.get(hash)?.[type]
      return record ? rankName(record.rank) : undefined
    }
    if (this.finalized.has(hash)) return 'finalized'
    let highest = 0
    const records = this.snapshots.get(hash)
    for (const t of TRACE_EVENT_TYPES) highest = Math.max(highest, records?.[t]?.rank ?? 0)
    return highest > 0 ? rankName(highest) : undefined
  }

  /** The event types delivered so far for trace `hash`. */
  typesSeen(hash: string): TraceEventType[] {
    const records = this.snapshots.get(hash)
    return records ? TRACE_EVENT_TYPES.filter((type) => records[type] !== undefined) : []
  }

  /** The trace hash of an API v3 trace id, when a delivered snapshot linked them. */
  hashOfTraceId(traceId: string): string | undefined {
    return this.hashes.get(traceId)
  }

  private admitSnapshot(notification: TraceScopedNotification): GateVerdict {
    const hash = notification.trace_external_hash_norm
    const type = notification.type
    const rank = finalityRank(notification.finality)
    const facts = factsOf(notification)
    const records = this.snapshots.get(hash)
    const previous = records?.[type]
    let verdict: GateVerdict = PASS
    if (previous) {
      if (rank < previous.rank) {
        verdict = {
          pass: false,
          reason: 'stale',
          message: `A ${notification.finality} ${notification.type} snapshot of trace ${hash} arrived after a ${rankName(previous.rank)} one; dropped`,
        }
      } else if (rank === previous.rank) {
        if (facts.every((fact) => hasFact(previous.facts, fact))) verdict = DUPLICATE
      }
    }
    if (this.keepAll) verdict = PASS
    if (!verdict.pass) return verdict
    const recorded = this.record(hash, records, type, rank, facts)
    this.track(hash, type, recorded, traceIdOf(notification))
    return PASS
  }

  private admitInvalidation(hash: string): GateVerdict {
    if (this.finalized.has(hash) && !this.keepAll) {
      return {
        pass: false,
        reason: 'stale',
        message: `trace_invalidated for trace ${hash}, which was already delivered as finalized; ignored (a provider anomaly)`,
      }
    }
    const wasKnown = this.held.has(hash) || this.typesSeen(hash).length > 0
    this.forget(hash)
    // An invalidation of a trace this client never saw is still news to the user; a second one is not.
    if (!wasKnown && this.invalidated.has(hash) && !this.keepAll) return DUPLICATE
    this.invalidated.set(hash, true)
    this.trim(this.invalidated)
    return PASS
  }

  /** Records a delivered snapshot; returns the rank now recorded for its (type, trace). */
  private record(
    hash: string,
    records: TraceRecords | undefined,
    type: TraceEventType,
    rank: number,
    facts: string[],
  ): number {
    const previous = records?.[type]
    if (previous && rank === previous.rank) {
      const known = previous.facts
      if (Array.isArray(known)) {
        for (const fact of facts) if (!known.includes(fact)) known.push(fact)
        previous.facts = factsFrom(known)
      } else {
        for (const fact of facts) known.add(fact)
      }
      return rank
    }
    // keepAllSnapshots: a lower one is delivered, but the record keeps the highest.
    if (previous && rank < previous.rank) return previous.rank
    // `facts` is this snapshot's own fresh array (factsOf): kept as is.
    const record: SnapshotRecord = { rank, facts: factsFrom(facts) }
    if (records) {
      records[type] = record
      // A trace that moved on counts as recent: re-inserted at the back of the eviction order.
      this.snapshots.delete(hash)
      this.snapshots.set(hash, records)
    } else {
      const fresh: TraceRecords = { transactions: undefined, actions: undefined, trace: undefined }
      fresh[type] = record
      this.snapshots.set(hash, fresh)
      this.trim(this.snapshots)
    }
    return rank
  }

  private track(hash: string, type: TraceEventType, rank: number, traceId: string | undefined): void {
    // Most streams never see an invalidation: skip the lookup in the (then empty) map.
    if (this.invalidated.size > 0) this.invalidated.delete(hash)
    if (traceId !== undefined) {
      this.hashes.set(traceId, hash)
      this.trim(this.hashes)
    }
    let entry = this.held.get(hash)
    if (rank >= FINALIZED_RANK) {
      this.finalized.set(hash, true)
      this.trim(this.finalized)
      if (entry) {
        entry.ranks = withRank(entry.ranks, type, 0)
        if (entry.ranks === 0) this.held.delete(hash)
      }
      return
    }
    if (!entry) {
      entry = { traceId, ranks: 0 }
      this.held.set(hash, entry)
    }
    entry.ranks = withRank(entry.ranks, type, rank)
    entry.traceId ??= traceId
    this.trimHeld()
  }

  private forget(hash: string): void {
    this.held.delete(hash)
    this.snapshots.delete(hash)
  }

  private trimHeld(): void {
    this.oldestHeld.trim(Math.min(this.heldLimit, this.capacity), this.onHeldOverflow)
  }

  /** Maps iterate in insertion order: dropping from the front forgets the oldest. */
  private trim(map: Map<string, unknown>): void {
    if (map.size > this.capacity) this.oldest.get(map)?.trim(this.capacity)
  }
}

function rankName(rank: number): TonFinality {
  return rank <= 1 ? 'pending' : rank === 2 ? 'confirmed' : 'finalized'
}

/** The facts a snapshot shows: which transactions (or actions) it holds. */
function factsOf(notification: TraceScopedNotification): string[] {
  switch (notification.type) {
    case 'transactions':
      return notification.transactions.map((tx) => tx.hash)
    case 'actions':
      return notification.actions.map((action) => action.action_id)
    case 'trace':
      return Object.keys(notification.transactions)
  }
}

function traceIdOf(notification: TraceScopedNotification): string | undefined {
  if (notification.type === 'actions') {
    for (const action of notification.actions) if (action.trace_id) return action.trace_id
    return undefined
  }
  if (notification.type === 'transactions') {
    for (const tx of notification.transactions) if (tx.trace_id) return tx.trace_id
    return undefined
  }
  // A whole trace: walked in place rather than copied into an array first.
  const byHash = notification.transactions
  for (const hash in byHash) {
    const tx = Object.hasOwn(byHash, hash) ? byHash[hash] : undefined
    if (tx?.trace_id) return tx.trace_id
  }
  return undefined
}
