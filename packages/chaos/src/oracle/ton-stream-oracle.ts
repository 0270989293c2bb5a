import type { TonLedger } from '@chainstream/testkit'
import { deliveryKey, finalityRank, type TonDelivery } from './ton-deliveries.js'
import type { Violations } from './violation.js'

/** What the stream was subscribed to, and from which ledger event on it owes the consumer everything. */
export interface TonStreamExpectation {
  readonly ledger: TonLedger
  /** `sim.ledger.mark()` once the stream was first subscribed. */
  readonly mark: number
  /** Raw `0:HEX` addresses. */
  readonly subscribed: ReadonlySet<string>
  /**
   * Accounts added later with `update()`, each with the ledger mark from which on it is owed (taken once
   * the change was applied and recovery's reads for it were done).
   */
  readonly added?: ReadonlyMap<string, number>
  readonly minFinality: string
  /** `sim.ledger.mark()` when the stream was closed before the end of the run: nothing later is owed. */
  until?: number
}

interface WireTransaction {
  account?: string
}
interface WireAction {
  accounts?: readonly string[]
}

/**
 * The finalized `transactions` / `actions` notifications the ledger holds for the subscribed accounts
 * since the mark — what the server sent (or would have sent) a connected client, compared by trace hash,
 * type and finality. Recovery or reconciliation must make up for whatever a fault swallowed.
 */
export function expectedFinalized(expectation: TonStreamExpectation): Map<string, string> {
  const { ledger, mark, subscribed } = expectation
  const added = expectation.added ?? new Map<string, number>()
  const expected = new Map<string, string>()
  for (const { seq, notification } of ledger.since(mark)) {
    if (expectation.until !== undefined && seq > expectation.until) break
    const owed = (account: string | undefined) =>
      account !== undefined &&
      (subscribed.has(account) || (added.get(account) ?? Number.POSITIVE_INFINITY) < seq)
    if (notification.finality !== 'finalized') continue
    const hash = notification.trace_external_hash_norm
    if (typeof hash !== 'string') continue
    if (notification.type === 'transactions') {
      const txs = (notification.transactions ?? []) as readonly WireTransaction[]
      if (txs.some((tx) => owed(tx.account))) {
        expected.set(deliveryKey('transactions', hash, 'finalized'), hash)
      }
    } else if (notification.type === 'actions') {
      const actions = (notification.actions ?? []) as readonly WireAction[]
      if (actions.some((action) => (action.accounts ?? []).some(owed))) {
        expected.set(deliveryKey('actions', hash, 'finalized'), hash)
      }
    }
  }
  return expected
}

/** Expected keys not delivered (yet). */
export function missingFinalized(expected: Map<string, string>, delivered: readonly TonDelivery[]): string[] {
  const got = new Set(delivered.map((d) => deliveryKey(d.type, d.hash, d.finality)))
  return [...expected.keys()].filter((key) => !got.has(key))
}

/**
 * Traces the consumer was shown below `finalized` and the ledger then invalidated (by ledger event `until`,
 * when the stream closed before the end): each needs a `trace_invalidated`, or the consumer keeps believing
 * in a transaction that never happened.
 */
export function owedInvalidations(
  ledger: TonLedger,
  delivered: readonly TonDelivery[],
  until?: number,
): string[] {
  const shownNonFinal = new Set<string>()
  const invalidated = new Set<string>()
  for (const d of delivered) {
    if (d.type === 'trace_invalidated') invalidated.add(d.hash)
    else if (d.finality === 'pending' || d.finality === 'confirmed') shownNonFinal.add(d.hash)
  }
  const invalidatedBy = (hash: string) =>
    until === undefined ||
    ledger.events.some(
      (e) =>
        e.seq <= until &&
        e.notification.type === 'trace_invalidated' &&
        e.notification.trace_external_hash_norm === hash,
    )
  return [...shownNonFinal].filter(
    (hash) => ledger.trace(hash)?.status === 'invalidated' && !invalidated.has(hash) && invalidatedBy(hash),
  )
}

/** Checks every invariant of an address-subscription stream against the simulator's ledger. */
export function checkTonStream(
  expectation: TonStreamExpectation,
  delivered: readonly TonDelivery[],
  violations: Pick<Violations, 'add'>,
): void {
  const { ledger, minFinality } = expectation
  for (const key of missingFinalized(expectedFinalized(expectation), delivered)) {
    const [type, hash] = key.split(' ')
    violations.add(
      'lost',
      `finalized ${type} of trace ${hash} never delivered (${explainTrace(expectation, hash ?? '')})`,
    )
  }

  const counts = new Map<string, number>()
  const firstFacts = new Map<string, readonly string[]>()
  const highest = new Map<string, { rank: number; finality: string }>()
  const invalidatedAt = new Map<string, number>()
  for (const d of delivered) {
    const key = deliveryKey(d.type, d.hash, d.finality)
    const count = (counts.get(key) ?? 0) + 1
    counts.set(key, count)
    if (count === 1) firstFacts.set(key, d.facts)
    if (count === 2) {
      const before = new Set(firstFacts.get(key))
      const more = d.facts.filter((fact) => !before.has(fact))
      violations.add(
        'duplicate',
        `${d.type} of trace ${d.hash} at ${d.finality} delivered twice (second from ${d.source}, ${more.length ? `${more.length} of its ${d.facts.length} items new: ${newItems(expectation, d, more)}` : 'same items'})`,
      )
    }

    const trace = ledger.trace(d.hash)
    if (!trace) {
      violations.add('phantom', `${d.type} of trace ${d.hash}, which the ledger does not know`)
      continue
    }
    if (invalidatedAt.has(d.hash)) {
      violations.add(
        'phantom',
        `${d.type} of trace ${d.hash} at ${d.finality} (from ${d.source}) after its trace_invalidated`,
      )
    }
    if (d.type === 'trace_invalidated') {
      if (trace.status !== 'invalidated') {
        violations.add(
          'phantom',
          `trace_invalidated (from ${d.source}) for trace ${d.hash}, which the ledger has at ${trace.status}`,
        )
      }
      invalidatedAt.set(d.hash, d.index)
      continue
    }
    const rank = finalityRank(d.finality)
    if (rank > finalityRank(trace.finality ?? '')) {
      violations.add(
        'phantom',
        `${d.type} of trace ${d.hash} at ${d.finality} (from ${d.source}); the ledger only reached ${trace.finality}`,
      )
    }
    if (rank < finalityRank(minFinality)) {
      violations.add(
        'phantom',
        `${d.type} of trace ${d.hash} at ${d.finality}, below the subscription's ${minFinality}`,
      )
    }
    const typeKey = `${d.type} ${d.hash}`
    const before = highest.get(typeKey)
    if (before && rank < before.rank) {
      violations.add(
        'regression',
        `${d.type} of trace ${d.hash}: ${d.finality} (from ${d.source}) after ${before.finality}`,
      )
    }
    if (!before || rank > before.rank) highest.set(typeKey, { rank, finality: d.finality })
  }

  for (const hash of owedInvalidations(ledger, delivered, expectation.until)) {
    violations.add(
      'missed-invalidation',
      `trace ${hash} was shown below finalized and invalidated; no trace_invalidated delivered`,
    )
  }
}

/** Facts about a trace that help tell a recovery gap from a delivery bug. */
export function explainTrace(expectation: TonStreamExpectation, hash: string): string {
  const trace = expectation.ledger.trace(hash)
  if (!trace) return 'not in the ledger'
  const initial = trace.accounts.filter((account) => expectation.subscribed.has(account)).length
  const added = trace.accounts.filter((account) => expectation.added?.has(account)).length
  const events = expectation.ledger
    .since(expectation.mark)
    .filter((e) => e.notification.trace_external_hash_norm === hash)
    .map((e) => `${e.notification.type}:${String(e.notification.finality ?? '')}#${e.seq}`)
  const addedAt = [...(expectation.added ?? new Map<string, number>()).values()].map((mark) => `#${mark}`)
  return [
    `ledger ${trace.stages.join('→')}`,
    `${trace.actionTypes.join('+')}`,
    initial + added === 0
      ? 'no subscribed account has a transaction of its own in it'
      : `transactions of ${initial} account(s) subscribed from the start, ${added} added later${addedAt.length ? ` (owed from ${addedAt.join(', ')})` : ''}`,
    `emitted ${events.join(' ')}`,
  ].join('; ')
}

/** Whose the new items of a repeated snapshot are, and when the trace got to that finality in the ledger. */
function newItems(expectation: TonStreamExpectation, d: TonDelivery, facts: readonly string[]): string {
  const trace = expectation.ledger.trace(d.hash)
  const txOf = new Map(trace?.transactions.map((tx) => [tx.hash, tx]) ?? [])
  const whose = facts.map((fact) => {
    const tx = txOf.get(fact)
    const account = tx?.account
    if (account === undefined) return 'an item'
    const added = expectation.added?.get(account)
    if (added !== undefined) {
      return `a transaction of ${account.slice(0, 10)}… at chain time ${tx?.now}, the account added at #${added} (chain time ${chainTimeAt(expectation.ledger, added)})`
    }
    return expectation.subscribed.has(account)
      ? `a transaction of ${account.slice(0, 10)}…, followed from the start`
      : `a transaction of ${account.slice(0, 10)}…, never subscribed`
  })
  const reached = expectation.ledger.events.find(
    (e) =>
      e.notification.trace_external_hash_norm === d.hash &&
      e.notification.type === d.type &&
      e.notification.finality === d.finality,
  )
  return `${whose.join(', ')}; the ledger had it ${d.finality} at #${reached?.seq ?? '?'}`
}

/** The latest chain time (`now`) of the transactions the ledger emitted up to `seq`. */
function chainTimeAt(ledger: TonLedger, seq: number): number | undefined {
  for (let i = Math.min(seq, ledger.events.length) - 1; i >= 0; i--) {
    const txs = ledger.events[i]?.notification.transactions
    if (Array.isArray(txs) && txs.length > 0)
      return Math.max(...txs.map((tx) => Number((tx as { now?: number }).now ?? 0)))
  }
  return undefined
}
