import {
  finalityRank,
  normalizeTonAddress,
  type TonEvent,
  type TonFinality,
} from '@chainstream/provider-toncenter'
import { ACCOUNTS_HEADER, FINALITY_HEADER, type RelayMessage } from './ton-messages.js'

/** Which accounts a trace was shown with below `finalized`, and up to which finality. */
export interface InvalidationScope {
  readonly accounts: ReadonlySet<string>
  readonly finality: TonFinality
}

/**
 * The relay's memory of the traces it published below `finalized`: which accounts they were shown with.
 * A trace's invalidation carries it (as headers), so that a durable consumer that was shown the trace by
 * an earlier process of its own still gets the invalidation after it resumed. Bounded: the oldest traces
 * are forgotten first (a trace this far behind is long final or invalid).
 */
export class InvalidationScopes {
  private readonly traces = new Map<string, { accounts: Set<string>; finality: TonFinality }>()

  constructor(private readonly limit = 100_000) {}

  /** Records what `event` shows, and gives the invalidation its headers. */
  note(event: TonEvent, messages: RelayMessage[]): RelayMessage[] {
    if (event.type === 'trace_invalidated') {
      const scope = this.traces.get(event.trace_external_hash_norm)
      this.traces.delete(event.trace_external_hash_norm)
      if (!scope) return messages
      const headers = { [ACCOUNTS_HEADER]: [...scope.accounts].join(','), [FINALITY_HEADER]: scope.finality }
      return messages.map((message) => ({ ...message, headers }))
    }
    if (event.type !== 'transactions' && event.type !== 'actions') return messages
    const hash = event.trace_external_hash_norm
    if (event.finality === 'finalized') {
      this.traces.delete(hash)
      return messages
    }
    let scope = this.traces.get(hash)
    if (!scope) {
      scope = { accounts: new Set(), finality: event.finality }
      this.traces.set(hash, scope)
      if (this.traces.size > this.limit) {
        const oldest = this.traces.keys().next().value
        if (oldest !== undefined) this.traces.delete(oldest)
      }
    }
    if (finalityRank(event.finality) > finalityRank(scope.finality)) scope.finality = event.finality
    const accounts =
      event.type === 'transactions'
        ? event.transactions.map((tx) => tx.account)
        : event.actions.flatMap((action) => action.accounts ?? [])
    for (const account of accounts) {
      const raw = safeRaw(account)
      if (raw) scope.accounts.add(raw)
    }
    return messages
  }
}

/** Reads an invalidation's headers (undefined when it has none). */
export function scopeFromHeaders(get: (name: string) => string): InvalidationScope | undefined {
  const accounts = get(ACCOUNTS_HEADER)
  const finality = get(FINALITY_HEADER) as TonFinality
  if (!accounts || !finality) return undefined
  return { accounts: new Set(accounts.split(',')), finality }
}

function safeRaw(address: string): string | undefined {
  try {
    return normalizeTonAddress(address)
  } catch {
    return undefined
  }
}
