/** The event types a subscription may ask for (`types` on the wire). */
export const SUBSCRIBABLE_EVENT_TYPES = [
  'transactions',
  'actions',
  'trace',
  'account_state_change',
  'jettons_change',
] as const

/** One of {@link SUBSCRIBABLE_EVENT_TYPES}. */
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number]

/**
 * Every notification type the server sends: the subscribable ones plus `trace_invalidated`, which is
 * delivered without being asked for (and which the server refuses in `types`).
 */
export const TON_EVENT_TYPES = [...SUBSCRIBABLE_EVENT_TYPES, 'trace_invalidated'] as const

/** One of {@link TON_EVENT_TYPES}. */
export type TonEventType = (typeof TON_EVENT_TYPES)[number]

/** The finality levels of TON Streaming v2, weakest first. */
export const TON_FINALITIES = ['pending', 'confirmed', 'finalized'] as const

/**
 * How settled a TON snapshot is: `pending` (emulated, not yet in a block), `confirmed` (in a shard block
 * not yet committed to the masterchain), `finalized` (irreversible).
 */
export type TonFinality = (typeof TON_FINALITIES)[number]

const RANK: Readonly<Record<TonFinality, number>> = { pending: 1, confirmed: 2, finalized: 3 }

/** Orders finality levels: `pending` 1 < `confirmed` 2 < `finalized` 3. */
export function finalityRank(finality: TonFinality): number {
  return RANK[finality]
}

/** Whether `finality` is at least `minimum`. */
export function meetsFinality(finality: TonFinality, minimum: TonFinality): boolean {
  return RANK[finality] >= RANK[minimum]
}

/** Event types whose notifications are tied to one trace (and so to its finality story). */
export const TRACE_SCOPED_TYPES: ReadonlySet<TonEventType> = new Set(['transactions', 'actions', 'trace'])

/** Event types the server emits only at `confirmed` or `finalized`; a `pending` filter on them is a mistake. */
export const NEVER_PENDING_TYPES: ReadonlySet<TonEventType> = new Set([
  'account_state_change',
  'jettons_change',
])
