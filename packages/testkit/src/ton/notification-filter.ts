import { actionTypeAllowed } from './action-types.js'
import type { SubscriptionState } from './subscription.js'
import { compareFinality, isFinality, type TonEventType, type TonFinality } from './wire-types.js'

type Json = Record<string, unknown>

const asList = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : [])
const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

// An injected frame with a strange finality is delivered rather than silently hidden.
const finalityOf = (n: Json): TonFinality => (isFinality(n.finality) ? n.finality : 'finalized')

const belowMin = (n: Json, sub: SubscriptionState) => compareFinality(finalityOf(n), sub.minFinality) < 0

/** The server's `InterestedIn`: the type is subscribed and one of the addresses is. */
export function interestedIn(
  sub: SubscriptionState,
  type: TonEventType,
  addresses: readonly string[],
): boolean {
  return sub.types.has(type) && addresses.some((address) => sub.addresses.has(address))
}

/** Account, in-message source and out-message destinations: the addresses an address book covers. */
export function transactionAddresses(transaction: object): string[] {
  const tx = transaction as Json
  const out: string[] = []
  if (typeof tx.account === 'string') out.push(tx.account)
  const inMsg = tx.in_msg
  if (isObject(inMsg) && typeof inMsg.source === 'string') out.push(inMsg.source)
  for (const msg of asList(tx.out_msgs)) if (typeof msg.destination === 'string') out.push(msg.destination)
  return out
}

const pick = (map: unknown, addresses: ReadonlySet<string>): Json => {
  const out: Json = {}
  if (!isObject(map)) return out
  for (const key of Object.keys(map).sort()) if (addresses.has(key)) out[key] = map[key]
  return out
}

/** Replaces `address_book`/`metadata` (when present) by their entries for `addresses`, in place of the keys. */
const trimBooks = (n: Json, addresses: ReadonlySet<string>): Json => {
  const out = { ...n }
  if (n.address_book !== undefined && n.address_book !== null)
    out.address_book = pick(n.address_book, addresses)
  if (n.metadata !== undefined && n.metadata !== null) out.metadata = pick(n.metadata, addresses)
  return out
}

const remember = (remembered: Set<string>, n: Json) => {
  const hash = n.trace_external_hash_norm
  if (typeof hash !== 'string') return
  if (finalityOf(n) === 'finalized') remembered.delete(hash)
  else remembered.add(hash)
}

/**
 * What one connection receives of a broadcast, or `undefined` — the server's per-client adjustment,
 * including its invalidation bookkeeping: `remembered` holds the traces this connection was sent a
 * non-finalized snapshot of, and is updated here.
 */
export function adjustForConnection(
  n: Json,
  sub: SubscriptionState,
  remembered: Set<string>,
): Json | undefined {
  switch (n.type) {
    case 'transactions': {
      if (belowMin(n, sub)) return undefined
      const kept = asList(n.transactions).filter((tx) =>
        interestedIn(sub, 'transactions', [String(tx.account)]),
      )
      if (kept.length === 0) return undefined
      const involved = new Set(kept.flatMap(transactionAddresses))
      remember(remembered, n)
      return trimBooks({ ...n, transactions: kept }, involved)
    }
    case 'actions': {
      if (belowMin(n, sub)) return undefined
      const kept = asList(n.actions).filter(
        (action) =>
          interestedIn(sub, 'actions', asStrings(action.accounts)) &&
          actionTypeAllowed(String(action.type), sub.actionTypes, sub.supported),
      )
      if (kept.length === 0) return undefined
      const involved = new Set(kept.flatMap((action) => asStrings(action.accounts)))
      remember(remembered, n)
      return trimBooks({ ...n, actions: kept }, involved)
    }
    case 'trace': {
      if (belowMin(n, sub)) return undefined
      if (!sub.types.has('trace') || !sub.traces.has(String(n.trace_external_hash_norm))) return undefined
      const out = { ...n }
      if (Array.isArray(n.actions)) {
        const kept = asList(n.actions).filter((action) =>
          actionTypeAllowed(String(action.type), sub.actionTypes, sub.supported),
        )
        if (kept.length > 0) out.actions = kept
        else delete out.actions
      }
      remember(remembered, n)
      return out
    }
    case 'account_state_change':
      if (belowMin(n, sub)) return undefined
      return interestedIn(sub, 'account_state_change', [String(n.account)]) ? n : undefined
    case 'jettons_change': {
      if (belowMin(n, sub)) return undefined
      const jetton = isObject(n.jetton) ? n.jetton : {}
      return interestedIn(sub, 'jettons_change', [String(jetton.address)]) ||
        interestedIn(sub, 'jettons_change', [String(jetton.owner)])
        ? n
        : undefined
    }
    case 'trace_invalidated': {
      const hash = String(n.trace_external_hash_norm)
      if (!remembered.has(hash)) return undefined
      remembered.delete(hash)
      return n
    }
    default:
      // A type from the future: whoever subscribed to anything gets it, so clients can be tested on it.
      return sub.types.size > 0 ? n : undefined
  }
}

/** Which books a generated notification must carry: those any connection that will receive it asked for. */
export interface BookNeeds {
  addressBook: boolean
  metadata: boolean
}

/**
 * The server fetches `address_book` / `metadata` for a notification when at least one connection that
 * would receive it (finality allows, interested in one of `involved`) asked for them — and then every
 * receiving connection gets them, trimmed, whether it asked or not.
 */
export function bookNeeds(
  n: { type: string; finality?: TonFinality; trace_external_hash_norm?: string },
  involved: readonly string[],
  subscriptions: Iterable<SubscriptionState>,
): BookNeeds {
  const needs = { addressBook: false, metadata: false }
  const finality = n.finality ?? 'finalized'
  for (const sub of subscriptions) {
    if (compareFinality(sub.minFinality, finality) > 0) continue
    const receives =
      n.type === 'trace'
        ? sub.types.has('trace') && sub.traces.has(n.trace_external_hash_norm ?? '')
        : interestedIn(sub, n.type as TonEventType, involved)
    if (!receives) continue
    needs.addressBook ||= sub.includeAddressBook
    needs.metadata ||= sub.includeMetadata
  }
  return needs
}
