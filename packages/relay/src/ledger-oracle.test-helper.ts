import type { TonSimulator } from '@chainstream/testkit'

type Frame = Record<string, unknown>

/** What one consumer follows, for the oracle. */
export interface OracleScope {
  /** Raw accounts (upper-case `0:HEX`, as the simulator writes them). */
  accounts: readonly string[]
  types: readonly ('transactions' | 'actions')[]
  /** Ledger mark taken once the consumer was subscribed. */
  since: number
}

/**
 * The facts a TON event carries, one string each: `tx <finality> <trace> <tx hash>` per transaction,
 * `ac <finality> <trace> <action id>` per action, `inv <trace>` for an invalidation. Comparing lists of
 * facts finds what was lost and what was doubled whatever way the events were cut.
 */
export function factsOf(value: object): string[] {
  const event = value as Frame
  const trace = String(event.trace_external_hash_norm)
  if (event.type === 'transactions') {
    return (event.transactions as { hash: string }[]).map((tx) => `tx ${event.finality} ${trace} ${tx.hash}`)
  }
  if (event.type === 'actions') {
    return (event.actions as { action_id: string }[]).map(
      (action) => `ac ${event.finality} ${trace} ${action.action_id}`,
    )
  }
  if (event.type === 'trace_invalidated') return [`inv ${trace}`]
  return []
}

/**
 * The facts the simulator emitted after `scope.since` that a consumer of `scope` must have received,
 * each once: its accounts' transactions and actions at every finality (the consumers follow from
 * `pending`), and the invalidation of every trace it was shown below `finalized`.
 */
export function expectedFacts(sim: TonSimulator, scope: OracleScope): string[] {
  const accounts = new Set(scope.accounts)
  const shown = new Set<string>()
  const out: string[] = []
  for (const { notification } of sim.ledger.since(scope.since)) {
    const frame = notification as Frame
    const trace = String(frame.trace_external_hash_norm)
    if (frame.type === 'trace_invalidated') {
      if (shown.has(trace)) out.push(`inv ${trace}`)
      continue
    }
    if (frame.type === 'transactions' && scope.types.includes('transactions')) {
      const mine = (frame.transactions as { account: string; hash: string }[]).filter((tx) =>
        accounts.has(tx.account),
      )
      for (const tx of mine) out.push(`tx ${frame.finality} ${trace} ${tx.hash}`)
      if (mine.length > 0 && frame.finality !== 'finalized') shown.add(trace)
    }
    if (frame.type === 'actions' && scope.types.includes('actions')) {
      const mine = (frame.actions as { accounts: string[]; action_id: string }[]).filter((action) =>
        action.accounts.some((account) => accounts.has(account)),
      )
      for (const action of mine) out.push(`ac ${frame.finality} ${trace} ${action.action_id}`)
      if (mine.length > 0 && frame.finality !== 'finalized') shown.add(trace)
    }
  }
  return out
}

/** Lost (expected, never delivered) and duplicated (delivered more than once) facts. */
export function compareFacts(
  expected: readonly string[],
  delivered: readonly string[],
): { lost: string[]; duplicated: string[]; unexpected: string[] } {
  const counts = new Map<string, number>()
  for (const fact of delivered) counts.set(fact, (counts.get(fact) ?? 0) + 1)
  const wanted = new Set(expected)
  return {
    lost: expected.filter((fact) => !counts.has(fact)),
    duplicated: [...counts].filter(([, count]) => count > 1).map(([fact]) => fact),
    unexpected: [...counts.keys()].filter((fact) => !wanted.has(fact)),
  }
}
