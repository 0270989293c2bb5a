import type { TraceNode } from '../protocol/v3-types.js'
import { traceFinality } from '../recovery/trace-facts.js'
import type { V3Trace } from '../recovery/v3-client.js'
import type { TonEvent } from '../ton-event.js'

/** The finality of a looked-up trace: its own for committed ones, `pending` for pending ones. */
export function lookedUpFinality(trace: V3Trace, pending: boolean) {
  return pending ? ('pending' as const) : traceFinality(trace)
}

/**
 * An API v3 trace as the `trace` notification the stream would have sent (`source: 'snapshot'`, or
 * `'reconciled'` when a reconciliation found it), so that every lifecycle update carries the same shape of
 * `data`. When v3 gave no tree, the tree is the root transaction alone.
 */
export function snapshotEvent(
  hash: string,
  finality: 'pending' | 'confirmed' | 'finalized',
  trace: V3Trace,
  source: 'snapshot' | 'reconciled' = 'snapshot',
): TonEvent<'trace'> {
  const root = trace.transactions_order?.[0] ?? Object.keys(trace.transactions)[0] ?? ''
  const tree: TraceNode = trace.trace ?? { tx_hash: root, in_msg_hash: null, children: [] }
  return {
    type: 'trace',
    finality,
    trace_external_hash_norm: hash,
    trace: tree,
    transactions: trace.transactions,
    ...(trace.actions ? { actions: trace.actions } : {}),
    source,
  }
}
