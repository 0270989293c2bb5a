import { HeldOrder } from './held-order.js'
import { OldestFirst } from './oldest-first.js'
import { finalityRank, type TonFinality } from './protocol/event-types.js'
import type { TonNotification, TraceScopedNotification } from './protocol/notifications.js'
import {
  bringsNewFacts,
  type Facts,
  factsIn,
  factsOf,
  HELD_MASK,
  HELD_SHIFT,
  LIVE_SHIFT,
  rankAt,
  setFacts,
  type TraceEventType,
  TraceRecord,
  typeShift,
  withFactsOf,
  withRankAt,
} from './trace-record.js'

export type { TraceEventType } from './trace-record.js'

/** What the gate decided about one notification. */
export type GateVerdict =
  /**
   * Deliver it. `repeats`: it comes at a finality already delivered for its type, for new facts; these are
   * the facts delivered before (a consumer shown only some of the facts may have had all of its own).
   */
  | { readonly pass: true; readonly repeats?: Facts }
  /** Drop it silently: a repeat of what was delivered (same finality, no new facts). */
  | { readonly pass: false; readonly reason: 'duplicate' }
  /** Drop it and report: a lower finality after a higher one, or an invalidation after `finalized`. */
  | { readonly pass: false; readonly reason: 'stale'; readonly message: string }

const TRACE_EVENT_TYPES: readonly TraceEventType[] = ['transactions', 'actions', 'trace']

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
 * It also keeps what recovery watches: per trace, the event types delivered below `finalized`, and whether
 * the current connection's live stream will report the trace's fate (see {@link FinalityGate.newConnection}).
 * Finality is tracked per type, not per trace, because the server sends a trace's `transactions`, `actions`
 * and `trace` snapshots as separate frames: a connection can drop between the finalized `transactions` and
 * the finalized `actions` of one trace, and the trace must stay watched for the type that is still short of
 * final.
 *
 * All of a trace's state is one {@link TraceRecord} behind one map entry: an event costs one lookup.
 */
export class FinalityGate {
  /** Trace hash → its record, oldest first (a trace that moves on is re-inserted at the back). */
  readonly #traces = new Map<string, TraceRecord>()
  /** Resumes eviction where it stopped (see {@link OldestFirst} for why one long-lived iterator). */
  #evictFrom: Iterator<TraceRecord> = this.#traces.values()
  readonly #held = new HeldOrder()
  /** The last evicted record, for the next new trace (see {@link TraceRecord.reuseFor}). */
  #spare: TraceRecord | undefined
  /** Traces with some type delivered at `finalized`: the server has finalized them, so none can be invalidated. */
  readonly #finalized = new Map<string, true>()
  readonly #invalidated = new Map<string, true>()
  /** API v3 trace id → trace hash, as snapshots showed them. */
  readonly #hashes = new Map<string, string>()
  readonly #keepAll: boolean
  readonly #capacity: number
  /** Each small bounded map's eviction order (see {@link OldestFirst}). */
  readonly #oldest = new Map<Map<string, unknown>, OldestFirst<string>>([
    [this.#finalized, new OldestFirst(this.#finalized)],
    [this.#invalidated, new OldestFirst(this.#invalidated)],
    [this.#hashes, new OldestFirst(this.#hashes)],
  ])
  #heldLimit = Number.POSITIVE_INFINITY
  #onHeldOverflow: ((hash: string) => void) | undefined
  /** The current connection (0 before the first); see {@link newConnection}. */
  #connection = 0

  constructor(options: FinalityGateOptions = {}) {
    this.#keepAll = options.keepAllSnapshots === true
    this.#capacity = options.capacity ?? 50_000
  }

  /**
   * Decides whether `notification` is delivered, and records it when it is. `live` says it came from the
   * stream itself: only the server, live, can bring an invalidated trace back (TON may retry it); a
   * recovered snapshot of an invalidated trace was taken before the invalidation and would resurrect it.
   * A live snapshot also tells, delivered or not, whether the server will report on the trace on this
   * connection: after a non-final one it will, after a finalized one or an invalidation no more.
   */
  admit(notification: TonNotification, live = true): GateVerdict {
    switch (notification.type) {
      case 'transactions':
      case 'actions':
      case 'trace':
        if (!live && this.#invalidated.has(notification.trace_external_hash_norm) && !this.#keepAll) {
          return {
            pass: false,
            reason: 'stale',
            message: `A recovered ${notification.finality} ${notification.type} snapshot of trace ${notification.trace_external_hash_norm}, which was invalidated; dropped`,
          }
        }
        return this.#admitSnapshot(notification, live)
      case 'trace_invalidated':
        return this.#admitInvalidation(notification.trace_external_hash_norm, live)
      default:
        return PASS
    }
  }

  /**
   * A new connection is subscribed: the server reports, on it, only on traces its own live stream sends
   * below `finalized` from now on.
   */
  newConnection(): void {
    this.#connection++
  }

  /**
   * Bounds the held traces: beyond `limit`, the oldest held trace is released (no longer held, its dedupe
   * records kept) and `onOverflow` is told which.
   */
  limitHeld(limit: number, onOverflow: (hash: string) => void): void {
    this.#heldLimit = limit
    this.#onHeldOverflow = onOverflow
    this.#trimHeld()
  }

  /**
   * Traces with some event type delivered below `finalized`, oldest first; with `unreportedOnly`, only
   * those the current connection's live stream will not report on (the ones recovery must look up).
   */
  heldTraces(unreportedOnly = false): HeldTrace[] {
    const out: HeldTrace[] = []
    for (const record of this.#held) {
      if (unreportedOnly && record.reportedOn === this.#connection && this.#connection !== 0) continue
      const types = new Map<TraceEventType, TonFinality>()
      let lowest = FINALIZED_RANK
      for (const type of TRACE_EVENT_TYPES) {
        const rank = rankAt(record.ranks, HELD_SHIFT + typeShift(type))
        if (rank === 0) continue
        types.set(type, rankName(rank))
        if (rank < lowest) lowest = rank
      }
      out.push({ hash: record.hash, traceId: record.traceId, types, finality: rankName(lowest) })
    }
    return out
  }

  /** Whether nothing was delivered yet (nor any invalidation). */
  get isEmpty(): boolean {
    return this.#traces.size === 0 && this.#invalidated.size === 0 && this.#finalized.size === 0
  }

  /** Whether some event type of `hash` is held below `finalized`. */
  isHeld(hash: string): boolean {
    const record = this.#traces.get(hash)
    return record !== undefined && (record.ranks & HELD_MASK) !== 0
  }

  /** Stops holding `hash` (recovery gave up watching it); what was delivered is still remembered for dedupe. */
  release(hash: string): void {
    const record = this.#traces.get(hash)
    if (record) this.#unhold(record)
  }

  /**
   * The highest finality delivered for `hash` in `type`, or in any type when `type` is omitted (finalized as
   * soon as one type was: the server finalizes a trace as a whole).
   */
  finalityOf(hash: string, type?: TraceEventType): TonFinality | undefined {
    const record = this.#traces.get(hash)
    if (type !== undefined) {
      const rank = record ? rankAt(record.ranks, typeShift(type)) : 0
      return rank > 0 ? rankName(rank) : undefined
    }
    if (this.#finalized.has(hash)) return 'finalized'
    let highest = 0
    for (const t of TRACE_EVENT_TYPES)
      highest = Math.max(highest, record ? rankAt(record.ranks, typeShift(t)) : 0)
    return highest > 0 ? rankName(highest) : undefined
  }

  /**
   * The highest finality the live stream itself sent for `hash` in event type `type` (delivered or dropped
   * as already known), while the gate remembers the trace; `undefined` when it sent none. Unlike
   * {@link finalityOf}, never raised by recovery: what the server sent on its own is a fact about the
   * subscription of the moment it was sent (see `GapRecovery`'s baselines).
   */
  liveFinalityOf(hash: string, type: TraceEventType): TonFinality | undefined {
    const record = this.#traces.get(hash)
    const rank = record ? rankAt(record.ranks, LIVE_SHIFT + typeShift(type)) : 0
    return rank > 0 ? rankName(rank) : undefined
  }

  /** The event types delivered so far for trace `hash`. */
  typesSeen(hash: string): TraceEventType[] {
    const record = this.#traces.get(hash)
    return record ? TRACE_EVENT_TYPES.filter((type) => rankAt(record.ranks, typeShift(type)) > 0) : []
  }

  /** The trace hash of an API v3 trace id, when a delivered snapshot linked them. */
  hashOfTraceId(traceId: string): string | undefined {
    return this.#hashes.get(traceId)
  }

  #admitSnapshot(notification: TraceScopedNotification, live: boolean): GateVerdict {
    const hash = notification.trace_external_hash_norm
    const type = notification.type
    const shift = typeShift(type)
    const rank = finalityRank(notification.finality)
    // Live: the server reports on the trace on this connection until it sent it finalized.
    const reportedOn = live ? (rank >= FINALIZED_RANK ? 0 : this.#connection) : -1
    let record = this.#traces.get(hash)
    if (record && live && rank > rankAt(record.ranks, LIVE_SHIFT + shift)) {
      record.ranks = withRankAt(record.ranks, LIVE_SHIFT + shift, rank)
    }
    const previous = record ? rankAt(record.ranks, shift) : 0
    if (record && previous !== 0 && !this.#keepAll) {
      if (reportedOn !== -1) record.reportedOn = reportedOn
      if (rank < previous) {
        return {
          pass: false,
          reason: 'stale',
          message: `A ${notification.finality} ${notification.type} snapshot of trace ${hash} arrived after a ${rankName(previous)} one; dropped`,
        }
      }
      if (rank === previous && !bringsNewFacts(factsIn(record, type), notification)) return DUPLICATE
    }
    let recorded = rank
    let repeats: Facts | undefined
    if (!record) {
      record = this.#spare?.reuseFor(hash) ?? new TraceRecord(hash)
      this.#spare = undefined
      record.ranks = withRankAt(live ? withRankAt(0, LIVE_SHIFT + shift, rank) : 0, shift, rank)
      setFacts(record, type, factsOf(notification))
      this.#traces.set(hash, record)
    } else if (rank === previous) {
      const before = factsIn(record, type)
      if (!this.#keepAll) repeats = before ?? ''
      setFacts(record, type, withFactsOf(before, notification))
    } else if (rank < previous) {
      // keepAllSnapshots: a lower one is delivered, but the record keeps the highest.
      recorded = previous
    } else {
      record.ranks = withRankAt(record.ranks, shift, rank)
      setFacts(record, type, factsOf(notification))
      // A trace that moved on counts as recent: re-inserted at the back of the eviction order.
      this.#traces.delete(hash)
      this.#traces.set(hash, record)
    }
    if (reportedOn !== -1) record.reportedOn = reportedOn
    this.#track(record, shift, recorded, traceIdOf(notification))
    // After `track`: the held traces are trimmed first, so the oldest record may be unheld by now.
    if (previous === 0 && this.#traces.size > this.#capacity) this.#trimTraces()
    return repeats === undefined ? PASS : { pass: true, repeats }
  }

  #admitInvalidation(hash: string, live: boolean): GateVerdict {
    const record = this.#traces.get(hash)
    if (this.#finalized.has(hash) && !this.#keepAll) {
      // The server will not report on it again on this connection either way.
      if (live && record) record.reportedOn = 0
      return {
        pass: false,
        reason: 'stale',
        message: `trace_invalidated for trace ${hash}, which was already delivered as finalized; ignored (a provider anomaly)`,
      }
    }
    if (record) {
      this.#traces.delete(hash)
      this.#held.remove(record)
    }
    // An invalidation of a trace this client never saw is still news to the user; a second one is not.
    if (!record && this.#invalidated.has(hash) && !this.#keepAll) return DUPLICATE
    this.#invalidated.set(hash, true)
    this.#trim(this.#invalidated)
    return PASS
  }

  /** Bookkeeping of a delivered snapshot whose (type, trace) is now recorded at `rank`. */
  #track(record: TraceRecord, shift: number, rank: number, traceId: string | undefined): void {
    const hash = record.hash
    // Most streams never see an invalidation: skip the lookup in the (then empty) map.
    if (this.#invalidated.size > 0) this.#invalidated.delete(hash)
    if (traceId !== undefined) {
      record.traceId ??= traceId
      this.#hashes.set(traceId, hash)
      this.#trim(this.#hashes)
    }
    const wasHeld = (record.ranks & HELD_MASK) !== 0
    if (rank >= FINALIZED_RANK) {
      this.#finalized.set(hash, true)
      this.#trim(this.#finalized)
      if (wasHeld) {
        record.ranks = withRankAt(record.ranks, HELD_SHIFT + shift, 0)
        if ((record.ranks & HELD_MASK) === 0) this.#unhold(record)
      }
      return
    }
    record.ranks = withRankAt(record.ranks, HELD_SHIFT + shift, rank)
    if (!wasHeld) {
      this.#held.push(record)
      this.#trimHeld()
    }
  }

  /**
   * No longer held. Whether the server reports on it is forgotten too: should it be held again, it is
   * looked up until its live stream sends it again (a look-up too many at worst, never one too few).
   */
  #unhold(record: TraceRecord): void {
    record.ranks &= ~HELD_MASK
    record.reportedOn = 0
    this.#held.remove(record)
  }

  #trimHeld(): void {
    const limit = Math.min(this.#heldLimit, this.#capacity)
    while (this.#held.size > limit) {
      const oldest = this.#held.first()
      if (!oldest) return
      this.#unhold(oldest)
      this.#onHeldOverflow?.(oldest.hash)
    }
  }

  /**
   * Forgets the oldest traces beyond the capacity. A held trace keeps its record (it moves to the back):
   * recovery still watches it and its dedupe must hold; held traces are bounded by the capacity too, so
   * the oldest unheld one is never far.
   */
  #trimTraces(): void {
    let budget = this.#traces.size
    while (this.#traces.size > this.#capacity && budget-- > 0) {
      let next = this.#evictFrom.next()
      if (next.done) {
        // A finished iterator stays finished: start a new one (only after the map was emptied).
        this.#evictFrom = this.#traces.values()
        next = this.#evictFrom.next()
        if (next.done) return
      }
      const record = next.value
      this.#traces.delete(record.hash)
      if ((record.ranks & HELD_MASK) !== 0) this.#traces.set(record.hash, record)
      // Nothing else refers to an evicted record (it is not held): the next new trace reuses it.
      else this.#spare = record
    }
  }

  /** Maps iterate in insertion order: dropping from the front forgets the oldest. */
  #trim(map: Map<string, unknown>): void {
    if (map.size > this.#capacity) this.#oldest.get(map)?.trim(this.#capacity)
  }
}

function rankName(rank: number): TonFinality {
  return rank <= 1 ? 'pending' : rank === 2 ? 'confirmed' : 'finalized'
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
