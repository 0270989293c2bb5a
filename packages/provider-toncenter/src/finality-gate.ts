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

interface SnapshotRecord {
  rank: number
  /** Transaction hashes (or action ids) delivered at `rank`: a same-rank snapshot with others is news. */
  facts: Set<string>
}

/** A trace held below `finalized`: recovery re-checks these after every reconnect. */
export interface HeldTrace {
  readonly hash: string
  readonly finality: TonFinality
  /** API v3 trace id, when a snapshot carried one. */
  readonly traceId: string | undefined
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
 * Makes finality per trace monotonic: for each (type, trace) a snapshot at a lower finality than one already
 * delivered is dropped with a diagnostic, and one at the same finality that brings nothing new is dropped
 * silently. An invalidation ends the trace's story (it may reappear later, from scratch); one after
 * `finalized` is an anomaly. It also keeps the set of traces held at pending/confirmed, which recovery
 * re-checks after a reconnect because their invalidation will never arrive on a new connection.
 */
export class FinalityGate {
  private readonly snapshots = new Map<string, SnapshotRecord>()
  private readonly held = new Map<string, { rank: number; traceId: string | undefined }>()
  private readonly finalized = new Map<string, true>()
  private readonly invalidated = new Map<string, true>()
  private readonly keepAll: boolean
  private readonly capacity: number

  constructor(options: FinalityGateOptions = {}) {
    this.keepAll = options.keepAllSnapshots === true
    this.capacity = options.capacity ?? 50_000
  }

  /** Decides whether `notification` is delivered, and records it when it is. */
  admit(notification: TonNotification): GateVerdict {
    switch (notification.type) {
      case 'transactions':
      case 'actions':
      case 'trace':
        return this.admitSnapshot(notification)
      case 'trace_invalidated':
        return this.admitInvalidation(notification.trace_external_hash_norm)
      default:
        return PASS
    }
  }

  /** Traces last seen at pending or confirmed. */
  heldTraces(): HeldTrace[] {
    const out: HeldTrace[] = []
    for (const [hash, entry] of this.held) {
      out.push({ hash, finality: entry.rank === 1 ? 'pending' : 'confirmed', traceId: entry.traceId })
    }
    return out
  }

  /** The highest finality delivered for `hash` in any type, if any. */
  finalityOf(hash: string): TonFinality | undefined {
    if (this.finalized.has(hash)) return 'finalized'
    const entry = this.held.get(hash)
    if (!entry) return undefined
    return entry.rank === 1 ? 'pending' : 'confirmed'
  }

  /** The event types delivered so far for trace `hash`. */
  typesSeen(hash: string): ('transactions' | 'actions' | 'trace')[] {
    const out: ('transactions' | 'actions' | 'trace')[] = []
    for (const type of ['transactions', 'actions', 'trace'] as const) {
      if (this.snapshots.has(`${type} ${hash}`)) out.push(type)
    }
    return out
  }

  private admitSnapshot(notification: TraceScopedNotification): GateVerdict {
    const hash = notification.trace_external_hash_norm
    const key = `${notification.type} ${hash}`
    const rank = finalityRank(notification.finality)
    const facts = factsOf(notification)
    const previous = this.snapshots.get(key)
    let verdict: GateVerdict = PASS
    if (previous) {
      if (rank < previous.rank) {
        verdict = {
          pass: false,
          reason: 'stale',
          message: `A ${notification.finality} ${notification.type} snapshot of trace ${hash} arrived after a ${rankName(previous.rank)} one; dropped`,
        }
      } else if (rank === previous.rank) {
        const news = facts.filter((fact) => !previous.facts.has(fact))
        if (news.length === 0) verdict = DUPLICATE
      }
    }
    if (this.keepAll) verdict = PASS
    if (!verdict.pass) return verdict
    this.record(key, rank, facts, previous)
    this.track(hash, rank, traceIdOf(notification))
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

  private record(key: string, rank: number, facts: string[], previous: SnapshotRecord | undefined): void {
    if (previous && rank === previous.rank) {
      for (const fact of facts) previous.facts.add(fact)
      return
    }
    if (previous && rank < previous.rank) return // keepAllSnapshots: delivered, but the record keeps the highest
    this.snapshots.delete(key)
    this.snapshots.set(key, { rank, facts: new Set(facts) })
    this.trim(this.snapshots)
  }

  private track(hash: string, rank: number, traceId: string | undefined): void {
    this.invalidated.delete(hash)
    if (rank >= FINALIZED_RANK) {
      this.held.delete(hash)
      this.finalized.set(hash, true)
      this.trim(this.finalized)
      return
    }
    if (this.finalized.has(hash)) return
    const entry = this.held.get(hash)
    if (!entry) {
      this.held.set(hash, { rank, traceId })
      this.trim(this.held)
    } else {
      if (rank > entry.rank) entry.rank = rank
      entry.traceId ??= traceId
    }
  }

  private forget(hash: string): void {
    this.held.delete(hash)
    for (const type of ['transactions', 'actions', 'trace']) this.snapshots.delete(`${type} ${hash}`)
  }

  /** Maps iterate in insertion order: dropping from the front forgets the oldest. */
  private trim(map: Map<string, unknown>): void {
    while (map.size > this.capacity) {
      const oldest = map.keys().next().value
      if (oldest === undefined) return
      map.delete(oldest)
    }
  }
}

function rankName(rank: number): TonFinality {
  return rank === 1 ? 'pending' : rank === 2 ? 'confirmed' : 'finalized'
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
  const transactions =
    notification.type === 'transactions'
      ? notification.transactions
      : Object.values(notification.transactions)
  for (const tx of transactions) if (tx.trace_id) return tx.trace_id
  return undefined
}
