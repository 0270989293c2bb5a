import { meetsFinality, normalizeTonAddress, type TonEvent } from '@chainstream/provider-toncenter'
import type { TonUserSubscription } from './ton-user-subscription.js'

/** Traces one user was shown before they were final: only those users get their invalidation. */
export class TraceMemory {
  private readonly seen = new Set<string>()

  constructor(private readonly limit = 10_000) {}

  remember(hash: string): void {
    if (this.seen.has(hash)) return
    this.seen.add(hash)
    // Oldest first out: a trace that has not settled after this many newer ones is long invalid or final.
    if (this.seen.size > this.limit) {
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
  }

  forget(hash: string): void {
    this.seen.delete(hash)
  }

  has(hash: string): boolean {
    return this.seen.has(hash)
  }

  get size(): number {
    return this.seen.size
  }
}

/** A user's subscription with the lookups the filter needs, built once per change. */
export interface CompiledUserFilter {
  readonly subscription: TonUserSubscription
  readonly types: ReadonlySet<string>
  readonly addresses: ReadonlySet<string>
  readonly hashes: ReadonlySet<string>
  readonly actionTypes: ReadonlySet<string>
}

export function compileFilter(subscription: TonUserSubscription): CompiledUserFilter {
  return {
    subscription,
    types: new Set(subscription.types),
    addresses: new Set(subscription.addresses),
    hashes: new Set(subscription.traceExternalHashNorms),
    actionTypes: new Set(subscription.actionTypes),
  }
}

const raw = (address: string | null | undefined): string | undefined => {
  if (!address) return undefined
  try {
    return normalizeTonAddress(address)
  } catch {
    return undefined
  }
}

/**
 * The part of a shared event that one user asked for, or `undefined` when nothing is left. The shared
 * connection subscribes to the union of all users, so each user trims events back to its own addresses,
 * traces, action types and finality — the same rules the server applies per connection.
 */
export function eventForUser(
  event: TonEvent,
  filter: CompiledUserFilter,
  memory: TraceMemory,
): TonEvent | undefined {
  const { subscription } = filter
  if (event.type === 'trace_invalidated') {
    const hash = event.trace_external_hash_norm
    if (!memory.has(hash) && !filter.hashes.has(hash)) return undefined
    memory.forget(hash)
    return event
  }
  if (!filter.types.has(event.type)) return undefined
  if (!meetsFinality(event.finality, subscription.minFinality)) return undefined
  const picked = pick(event, filter)
  if (picked && (picked.type === 'transactions' || picked.type === 'actions' || picked.type === 'trace')) {
    if (picked.finality === 'finalized') memory.forget(picked.trace_external_hash_norm)
    else memory.remember(picked.trace_external_hash_norm)
  }
  return picked
}

function pick(event: TonEvent, filter: CompiledUserFilter): TonEvent | undefined {
  switch (event.type) {
    case 'transactions': {
      const transactions = event.transactions.filter((tx) => filter.addresses.has(raw(tx.account) ?? ''))
      if (transactions.length === 0) return undefined
      return transactions.length === event.transactions.length ? event : { ...event, transactions }
    }
    case 'actions': {
      const actions = event.actions.filter(
        (action) =>
          (action.accounts ?? []).some((account) => filter.addresses.has(raw(account) ?? '')) &&
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
      const { actions: _dropped, ...rest } = event
      return actions.length > 0 ? { ...rest, actions } : rest
    }
    case 'account_state_change':
      return filter.addresses.has(raw(event.account) ?? '') ? event : undefined
    case 'jettons_change':
      return filter.addresses.has(raw(event.jetton.address) ?? '') ||
        filter.addresses.has(raw(event.jetton.owner) ?? '')
        ? event
        : undefined
    default:
      return undefined
  }
}
