import type { TraceEventType } from '../finality-gate.js'
import { normalizeTonAddress } from '../protocol/address.js'
import type { TonFinality } from '../protocol/event-types.js'
import type { TonNotification } from '../protocol/notifications.js'
import type { TonSubscription } from '../protocol/subscription.js'
import type { Action } from '../protocol/v3-types.js'
import type { RecordedType } from './pre-subscription.js'
import { byLtDescending } from './trace-facts.js'
import type { V3Trace } from './v3-client.js'

/** The trace event types a subscription receives. */
export function traceTypesOf(subscription: TonSubscription): TraceEventType[] {
  return (['transactions', 'actions', 'trace'] as const).filter((type) => subscription.types.includes(type))
}

/**
 * The notifications the stream would have sent for an API v3 trace at `finality`, for the given types and
 * the subscription as it is now: `transactions` of subscribed accounts, `actions` touching a subscribed
 * account (with the action-type filter), `trace` only for a subscribed trace hash.
 *
 * `predates(account, type)` says that this trace's `type` snapshot, at this finality, was already that way
 * when the stream started following `account`: that part was never the subscription's to deliver, and is
 * left out.
 */
export function traceNotifications(
  trace: V3Trace,
  hash: string,
  finality: TonFinality,
  subscription: TonSubscription,
  types: readonly TraceEventType[],
  predates: (account: string, type: RecordedType) => boolean = () => false,
): TonNotification[] {
  const subscribed = new Set(subscription.addresses)
  const follows = (raw: string, type: RecordedType) => {
    const account = safeAddress(raw)
    return account !== undefined && subscribed.has(account) && !predates(account, type)
  }
  const actionFilter =
    subscription.actionTypes.length > 0 ? new Set<string>(subscription.actionTypes) : undefined
  const wantedAction = (action: Action) => actionFilter === undefined || actionFilter.has(action.type)
  const out: TonNotification[] = []
  for (const type of types) {
    if (!subscription.types.includes(type)) continue
    if (type === 'transactions') {
      const transactions = Object.values(trace.transactions).filter((tx) =>
        follows(tx.account, 'transactions'),
      )
      if (transactions.length === 0) continue
      out.push({
        type: 'transactions',
        finality,
        trace_external_hash_norm: hash,
        transactions: byLtDescending(transactions),
      })
    } else if (type === 'actions') {
      const actions = (trace.actions ?? []).filter(
        (action) =>
          wantedAction(action) && (action.accounts ?? []).some((account) => follows(account, 'actions')),
      )
      if (actions.length === 0) continue
      out.push({ type: 'actions', finality, trace_external_hash_norm: hash, actions })
    } else if (trace.trace && subscription.traceExternalHashNorms.includes(hash)) {
      const actions = trace.actions?.filter(wantedAction)
      out.push({
        type: 'trace',
        finality,
        trace_external_hash_norm: hash,
        trace: trace.trace,
        transactions: trace.transactions,
        ...(actions && actions.length > 0 ? { actions } : {}),
      })
    }
  }
  return out
}

/**
 * Whether the part of a trace at finality `rank` that concerns `account` is not recovery's to deliver:
 * - the account has no baseline yet (it was just added to the subscription: until its baseline is taken,
 *   nothing of its past can be told apart from what predates the subscription);
 * - the account's own transactions and actions in the trace are all older than its baseline minus the
 *   horizon: the baseline could not see them, and a trace does not stay unfinalized that long, so it was
 *   already settled when the stream started following the account (a trace found through another
 *   account's window must not bring this one's old part along);
 * - or the trace's `type` snapshot was already at this finality when the stream started following the
 *   account.
 */
export function notYours(
  deps: {
    readonly watermarks: { baselineOf(account: string): number | undefined }
    readonly phantoms: {
      predates(hash: string, account: string, rank: number, type: RecordedType): boolean
    }
    readonly settings: { readonly horizonSeconds: number }
  },
  trace: V3Trace,
  hash: string,
  account: string,
  rank: number,
  type: RecordedType,
): boolean {
  const baseline = deps.watermarks.baselineOf(account)
  if (baseline === undefined) return true
  if (latestActivityOf(trace, account) < baseline - deps.settings.horizonSeconds) return true
  return deps.phantoms.predates(hash, account, rank, type)
}

/**
 * The notifications recovery offers for an API v3 trace at `finality` (see {@link traceNotifications} and
 * {@link notYours}), or `undefined` while a subscribed account of the trace waits for its baseline: its
 * part can be told apart from what predates it only then, so the trace waits with it — offered now without
 * that part, it would be offered again at the same finality with it (a repeat), or settled and that part
 * never offered.
 */
export function recoveredNotifications(
  deps: Parameters<typeof notYours>[0],
  trace: V3Trace,
  hash: string,
  finality: TonFinality,
  subscription: TonSubscription,
  types: readonly TraceEventType[],
  rank: number,
): TonNotification[] | undefined {
  let waits = false
  const notifications = traceNotifications(trace, hash, finality, subscription, types, (account, type) => {
    if (deps.watermarks.baselineOf(account) === undefined) waits = true
    return notYours(deps, trace, hash, account, rank, type)
  })
  return waits ? undefined : notifications
}

/** The chain time of `account`'s latest transaction or action in the trace (0 when it has none). */
function latestActivityOf(trace: V3Trace, account: string): number {
  let latest = 0
  for (const tx of Object.values(trace.transactions)) {
    if (tx.now > latest && safeAddress(tx.account) === account) latest = tx.now
  }
  for (const action of trace.actions ?? []) {
    const end = action.end_utime ?? 0
    if (end > latest && (action.accounts ?? []).some((raw) => safeAddress(raw) === account)) latest = end
  }
  return latest
}

/** Every account a trace touches: its transactions' accounts and its actions' accounts. */
export function accountsOf(trace: V3Trace): Set<string> {
  const out = new Set<string>()
  for (const tx of Object.values(trace.transactions)) {
    const account = safeAddress(tx.account)
    if (account !== undefined) out.add(account)
  }
  for (const action of trace.actions ?? []) {
    for (const raw of action.accounts ?? []) {
      const account = safeAddress(raw)
      if (account !== undefined) out.add(account)
    }
  }
  return out
}

export function safeAddress(address: string): string | undefined {
  try {
    return normalizeTonAddress(address)
  } catch {
    return undefined
  }
}
