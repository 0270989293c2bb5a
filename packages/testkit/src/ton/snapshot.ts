import { sortedMap } from './go-json.js'
import type { BuiltTrace } from './trace-builder.js'
import type {
  TonAction,
  TonActionsNotification,
  TonFinality,
  TonTraceNotification,
  TonTransaction,
  TonTransactionsNotification,
} from './wire-types.js'

/** The trace's transactions as a snapshot at `finality` shows them (creation order). */
export function transactionsAt(trace: BuiltTrace, finality: TonFinality): TonTransaction[] {
  return trace.transactions.map((tx) => ({ ...tx, emulated: finality === 'pending', finality }))
}

/**
 * The trace's actions at `finality`. Early pending actions have no trace id yet and a provisional action
 * id, as on the real server (clients must not key on them before confirmation).
 */
export function actionsAt(trace: BuiltTrace, finality: TonFinality): TonAction[] {
  return trace.actions.map((action, index) =>
    finality === 'pending'
      ? { ...action, trace_id: null, action_id: trace.pendingActionIds[index] as string, finality }
      : { ...action, finality },
  )
}

const byLtDescending = (a: TonTransaction, b: TonTransaction) => {
  const diff = BigInt(b.lt) - BigInt(a.lt)
  return diff > 0n ? 1 : diff < 0n ? -1 : 0
}

/** The three notifications one stage of a trace produces, without address book or metadata. */
export function snapshotNotifications(
  trace: BuiltTrace,
  finality: TonFinality,
): {
  transactions: TonTransactionsNotification
  actions: TonActionsNotification
  trace: TonTraceNotification
} {
  const transactions = transactionsAt(trace, finality)
  const actions = actionsAt(trace, finality)
  const byHash: Record<string, TonTransaction> = {}
  for (const tx of transactions) byHash[tx.hash] = tx
  const traceNotification: TonTraceNotification = {
    type: 'trace',
    finality,
    trace_external_hash_norm: trace.traceExternalHashNorm,
    trace: trace.tree,
    transactions: sortedMap(byHash),
  }
  if (actions.length > 0) traceNotification.actions = actions
  return {
    transactions: {
      type: 'transactions',
      finality,
      trace_external_hash_norm: trace.traceExternalHashNorm,
      transactions: [...transactions].sort(byLtDescending),
    },
    actions: { type: 'actions', finality, trace_external_hash_norm: trace.traceExternalHashNorm, actions },
    trace: traceNotification,
  }
}
