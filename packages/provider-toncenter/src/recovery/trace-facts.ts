import { finalityRank, type TonFinality } from '../protocol/event-types.js'
import type { Transaction } from '../protocol/v3-types.js'
import type { V3Trace } from './v3-client.js'

/**
 * The `trace_external_hash_norm` of an API v3 trace. v3 does not always name it, so it falls back to the
 * actions (which carry it) and then to the normalised hash of the root transaction's external message —
 * which is what the streaming server's value is.
 */
export function traceHashOf(trace: V3Trace): string | undefined {
  if (trace.trace_external_hash_norm) return trace.trace_external_hash_norm
  for (const action of trace.actions ?? [])
    if (action.trace_external_hash_norm) return action.trace_external_hash_norm
  const rootHash = trace.trace?.tx_hash ?? trace.transactions_order?.[0]
  const root = rootHash ? trace.transactions[rootHash] : undefined
  const norm = root?.in_msg?.hash_norm
  return norm ?? undefined
}

/** A trace's finality: the server's own field when present, else the lowest of its transactions'. */
export function traceFinality(trace: V3Trace): TonFinality {
  if (trace.finality) return trace.finality
  let lowest: TonFinality | undefined
  for (const tx of Object.values(trace.transactions)) {
    if (tx.finality && (lowest === undefined || finalityRank(tx.finality) < finalityRank(lowest)))
      lowest = tx.finality
  }
  // API v3 lists committed data only; without any marker, treat it as final.
  return lowest ?? 'finalized'
}

/** The masterchain block a trace's last transaction is in (`mc_seqno_end`), when API v3 says. */
export function traceMcSeqnoEnd(trace: V3Trace): number | undefined {
  const value = trace.mc_seqno_end
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined
}

/** Compares decimal LT strings numerically. */
export function compareLt(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The smallest LT of a trace's transactions (its position in the chain), for ordering. */
export function traceStartLt(trace: V3Trace): bigint {
  if (trace.start_lt) return BigInt(trace.start_lt)
  let min: bigint | undefined
  for (const tx of Object.values(trace.transactions)) {
    const lt = BigInt(tx.lt)
    if (min === undefined || lt < min) min = lt
  }
  return min ?? 0n
}

/** The chain time of a trace's last transaction (unix seconds): how far the chain's clock has got. */
export function traceEndUtime(trace: V3Trace): number {
  if (typeof trace.end_utime === 'number') return trace.end_utime
  let max: number | undefined
  for (const tx of Object.values(trace.transactions)) if (max === undefined || tx.now > max) max = tx.now
  return max ?? 0
}

/** Transactions sorted by LT, highest first (the stream's order). */
export function byLtDescending(transactions: Transaction[]): Transaction[] {
  return transactions.sort((a, b) => compareLt(b.lt, a.lt))
}
