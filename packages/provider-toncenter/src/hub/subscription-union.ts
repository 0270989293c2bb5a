import {
  finalityRank,
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
} from '../protocol/event-types.js'
import type { TonSubscription } from '../protocol/subscription.js'

/**
 * The one subscription a shared connection holds for all its consumers: the smallest one that still
 * brings each consumer everything it asked for — the union of types and targets, the lowest finality,
 * every action type as soon as one consumer of `actions` or `trace` wants all of them, address book and
 * metadata when anyone asks. Each consumer's own view then trims the shared events back
 * (`eventForConsumer`). When no consumer has anything to follow yet, the union follows nothing (a
 * WebSocket may stay open like that; an SSE request cannot be made of it).
 *
 * Lists keep the consumers' order (the first consumer's addresses first, as it gave them); unions are
 * compared as sets ({@link sameSubscription}), so an equal one causes no change.
 */
export function unionOf(subscriptions: readonly TonSubscription[]): TonSubscription {
  const types = new Set<SubscribableEventType>()
  const addresses = new Set<string>()
  const hashes = new Set<string>()
  const actionTypes = new Set<string>()
  const classifiers = new Set<string>()
  let allActionTypes = false
  let defaultClassifier = false
  let minRank = Number.POSITIVE_INFINITY
  let minFinality: TonSubscription['minFinality'] = 'finalized'
  let includeAddressBook = false
  let includeMetadata = false
  const declared = new Set<SubscribableEventType>()
  for (const subscription of subscriptions) {
    for (const type of subscription.types) declared.add(type)
    const active = activeTypes(subscription)
    if (active.length === 0) continue
    for (const type of active) types.add(type)
    if (active.some((type) => type !== 'trace'))
      for (const address of subscription.addresses) addresses.add(address)
    if (active.includes('trace')) for (const hash of subscription.traceExternalHashNorms) hashes.add(hash)
    if (active.includes('actions') || active.includes('trace')) {
      if (subscription.actionTypes.length === 0) allActionTypes = true
      for (const type of subscription.actionTypes) actionTypes.add(type)
    }
    // An empty list is the server's default classifier (`latest`): it stays the default when anyone uses it.
    if (subscription.supportedActionTypes.length === 0) defaultClassifier = true
    for (const classifier of subscription.supportedActionTypes) classifiers.add(classifier)
    const rank = finalityRank(subscription.minFinality)
    if (rank < minRank) {
      minRank = rank
      minFinality = subscription.minFinality
    }
    includeAddressBook ||= subscription.includeAddressBook
    includeMetadata ||= subscription.includeMetadata
  }
  if (types.size === 0) {
    // Nothing to follow: an idle subscription of the declared types (the wire form leaves them out).
    for (const type of declared) types.add(type)
    minFinality = subscriptions[0]?.minFinality ?? 'finalized'
  }
  if (defaultClassifier && classifiers.size > 0) classifiers.add('latest')
  return {
    types: SUBSCRIBABLE_EVENT_TYPES.filter((type) => types.has(type)),
    addresses: [...addresses],
    traceExternalHashNorms: [...hashes],
    minFinality,
    includeAddressBook,
    includeMetadata,
    actionTypes: allActionTypes ? [] : [...actionTypes],
    supportedActionTypes: [...classifiers],
  }
}

/** The types that have something to follow: `trace` needs trace hashes, every other type addresses. */
export function activeTypes(subscription: TonSubscription): SubscribableEventType[] {
  return subscription.types.filter((type) =>
    type === 'trace' ? subscription.traceExternalHashNorms.length > 0 : subscription.addresses.length > 0,
  )
}

/** Whether two subscriptions ask the server for the same thing (lists compared as sets). */
export function sameSubscription(a: TonSubscription | undefined, b: TonSubscription | undefined): boolean {
  if (a === b) return true
  if (!a || !b) return false
  return (
    a.minFinality === b.minFinality &&
    a.includeAddressBook === b.includeAddressBook &&
    a.includeMetadata === b.includeMetadata &&
    sameSet(a.types, b.types) &&
    sameSet(a.addresses, b.addresses) &&
    sameSet(a.traceExternalHashNorms, b.traceExternalHashNorms) &&
    sameSet(a.actionTypes, b.actionTypes) &&
    sameSet(a.supportedActionTypes, b.supportedActionTypes)
  )
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((item) => set.has(item))
}
