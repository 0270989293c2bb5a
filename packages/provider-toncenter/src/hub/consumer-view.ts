import { OldestFirst } from '../oldest-first.js'
import { normalizeTonAddress } from '../protocol/address.js'
import { meetsFinality } from '../protocol/event-types.js'
import type { TonSubscription } from '../protocol/subscription.js'
import { nothingNewIn } from '../repeated-snapshots.js'
import type { TonEvent } from '../ton-event.js'

/**
 * One consumer's subscription with the lookups its view of the shared events needs, built once per
 * change rather than per event.
 */
export interface ConsumerFilter {
  readonly subscription: TonSubscription
  readonly types: ReadonlySet<string>
  readonly addresses: ReadonlySet<string>
  readonly hashes: ReadonlySet<string>
  readonly actionTypes: ReadonlySet<string>
}

/** Compiles `subscription` for {@link eventForConsumer}. */
export function compileConsumerFilter(subscription: TonSubscription): ConsumerFilter {
  return {
    subscription,
    types: new Set(subscription.types),
    addresses: new Set(subscription.addresses),
    hashes: new Set(subscription.traceExternalHashNorms),
    actionTypes: new Set(subscription.actionTypes),
  }
}

/**
 * The traces one consumer was shown below `finalized`: only those consumers get the trace's
 * invalidation, as only the connection that saw a trace gets it from the server. Bounded: the oldest are
 * forgotten first (a trace that has not settled after this many newer ones is long invalid or final).
 */
export class TraceMemory {
  readonly #seen = new Set<string>()
  readonly #oldest = new OldestFirst(this.#seen)

  readonly #limit: number

  constructor(limit = 50_000) {
    this.#limit = limit
  }

  remember(hash: string): void {
    // One lookup: `add` of a known hash leaves the size (and its place in the eviction order) unchanged.
    const size = this.#seen.size
    this.#seen.add(hash)
    if (this.#seen.size > size && this.#seen.size > this.#limit) this.#oldest.trim(this.#limit)
  }

  forget(hash: string): void {
    this.#seen.delete(hash)
  }

  has(hash: string): boolean {
    return this.#seen.has(hash)
  }
}

/**
 * The part of a shared event that one consumer asked for, or `undefined` when nothing of it is left. The
 * shared connection subscribes to the union of all consumers, so each consumer trims events back to its
 * own types, addresses, traces, action types and finality — the rules the server applies per connection.
 * Events are shared objects: a trimmed one is a shallow copy, an untrimmed one the same object.
 */
export function eventForConsumer(
  event: TonEvent,
  filter: ConsumerFilter,
  memory: TraceMemory,
): TonEvent | undefined {
  if (event.type === 'trace_invalidated') {
    const hash = event.trace_external_hash_norm
    if (!memory.has(hash) && !filter.hashes.has(hash)) return undefined
    memory.forget(hash)
    return event
  }
  if (!filter.types.has(event.type)) return undefined
  if (!meetsFinality(event.finality, filter.subscription.minFinality)) return undefined
  const picked = pick(event, filter)
  // A repeat for facts of other consumers' accounts: this one had all of its own already.
  if (picked && nothingNewIn(event, picked)) return undefined
  if (picked && (picked.type === 'transactions' || picked.type === 'actions' || picked.type === 'trace')) {
    if (picked.finality === 'finalized') memory.forget(picked.trace_external_hash_norm)
    else memory.remember(picked.trace_external_hash_norm)
  }
  return picked
}

function pick(event: TonEvent, filter: ConsumerFilter): TonEvent | undefined {
  switch (event.type) {
    case 'transactions': {
      // Copies only when something is trimmed: a consumer usually keeps every transaction.
      const all = event.transactions
      let kept: typeof all | undefined
      // A notification's transactions are mostly one account's: a string equal to one already found is
      // compared, not hashed and looked up again (each is a distinct string fresh from JSON.parse).
      let found: string | undefined
      for (let i = 0; i < all.length; i++) {
        const account = (all[i] as (typeof all)[number]).account
        const mine = (found !== undefined && account === found) || hasAddress(filter, account)
        if (mine) found = account
        if (kept) {
          if (mine) kept.push(all[i] as (typeof all)[number])
        } else if (!mine) {
          kept = all.slice(0, i)
        }
      }
      if (!kept) return all.length === 0 ? undefined : event
      return kept.length === 0 ? undefined : { ...event, transactions: kept }
    }
    case 'actions': {
      const actions = event.actions.filter(
        (action) =>
          (action.accounts ?? []).some((account) => filter.addresses.has(raw(account))) &&
          (filter.actionTypes.size === 0 || filter.actionTypes.has(action.type)),
      )
      if (actions.length === 0) return undefined
      return actions.length === event.actions.length ? event : { ...event, actions }
    }
    case 'trace': {
      if (!filter.hashes.has(event.trace_external_hash_norm)) return undefined
      if (filter.actionTypes.size === 0 || !event.actions) return event
      const actions = event.actions.filter((action) => filter.actionTypes.has(action.type))
      if (actions.length === event.actions.length) return event
      // As the server does: the actions are omitted when none is left.
      const { actions: _omitted, ...rest } = event
      return actions.length > 0 ? { ...rest, actions } : rest
    }
    case 'account_state_change':
      return filter.addresses.has(raw(event.account)) ? event : undefined
    case 'jettons_change':
      return filter.addresses.has(raw(event.jetton.address)) || filter.addresses.has(raw(event.jetton.owner))
        ? event
        : undefined
    default:
      return undefined
  }
}

/**
 * Whether `address` is one of the consumer's. Payload addresses are canonical raw ones in practice (as
 * the subscription's are), so an exact hit needs no normalising; anything else is compared normalised.
 */
function hasAddress(filter: ConsumerFilter, address: string | null | undefined): boolean {
  return (typeof address === 'string' && filter.addresses.has(address)) || filter.addresses.has(raw(address))
}

/** Payload addresses are raw (`0:HEX`, upper case in real samples); compare after normalising. */
const rawCache = new Map<string, string>()
function raw(address: string | null | undefined): string {
  if (!address) return ''
  const cached = rawCache.get(address)
  if (cached !== undefined) return cached
  let value = ''
  try {
    value = normalizeTonAddress(address)
  } catch {
    value = ''
  }
  // Bounded: a burst of distinct addresses must not grow memory without limit.
  if (rawCache.size >= 10_000) rawCache.clear()
  rawCache.set(address, value)
  return value
}
