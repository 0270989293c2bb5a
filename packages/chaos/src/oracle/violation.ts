/**
 * The invariants every seed is checked against. Each violation names one, so the CLI can count failures by
 * invariant and a reader knows at once which promise of the product broke.
 */
export const INVARIANTS = {
  /** A finalized event the ledger holds for a subscription was never delivered. */
  lost: 'nothing lost',
  /** The same (trace, type, finality) — or Venum status of a signature — was delivered twice. */
  duplicate: 'nothing doubled',
  /** A lower tier after a higher one, per (trace, type) or per signature / tracked id. */
  regression: 'no tier going backwards',
  /** Delivered something the ledger never had: an unreached finality, an invalidation that did not happen. */
  phantom: 'nothing invented',
  /** A trace shown as pending/confirmed was invalidated, and the invalidation never reached the consumer. */
  'missed-invalidation': 'retractions delivered',
  /** Not exactly one terminal (or `done`) per tracked id / signature, or updates after it. */
  'terminal-count': 'exactly one terminal per tracked id',
  /** Success reported for a failed/invalidated transaction, or failure for a successful one. */
  'wrong-outcome': 'no failure reported as success',
  /** A wait resolved after (or despite) its abort. */
  'abort-resolved': 'no abort resolved as success',
  /** A socket or timer of the product still alive after `close()`. */
  leak: 'nothing left after close()',
  /** The stream/watch ended on its own with an error, although every injected fault is retryable. */
  'unexpected-close': 'survives retryable faults',
  /** The harness itself failed (an exception, a step that could not run): a bug to fix in the harness. */
  harness: 'harness ran the schedule',
} as const

export type Invariant = keyof typeof INVARIANTS

export interface Violation {
  readonly invariant: Invariant
  readonly message: string
}

/** Collects violations, capping repeats so one broken seed cannot print thousands of lines. */
export class Violations {
  readonly list: Violation[] = []
  private readonly perInvariant = new Map<Invariant, number>()

  add(invariant: Invariant, message: string): void {
    const count = (this.perInvariant.get(invariant) ?? 0) + 1
    this.perInvariant.set(invariant, count)
    if (count <= 8) this.list.push({ invariant, message })
    else if (count === 9) this.list.push({ invariant, message: '… more of the same left out' })
  }

  get ok(): boolean {
    return this.list.length === 0
  }
}
