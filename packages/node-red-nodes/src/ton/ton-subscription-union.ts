import type { SubscribableEventType, TonFinality, TonStreamUpdate } from '@chainstream/provider-toncenter'
import { SUBSCRIBABLE_EVENT_TYPES } from '@chainstream/provider-toncenter'
import { activeTypes, lowerFinality, type TonUserSubscription } from './ton-user-subscription.js'

/** The one subscription a shared connection holds for all its users. */
export interface TonUnion {
  readonly types: SubscribableEventType[]
  readonly addresses: string[]
  readonly traceExternalHashNorms: string[]
  readonly minFinality: TonFinality
  readonly actionTypes: string[]
  readonly includeAddressBook: boolean
  readonly includeMetadata: boolean
}

/**
 * Merges the users' subscriptions into the smallest one that still brings every user everything it
 * asked for: the union of types and targets, the lowest finality, every action type as soon as one user
 * of actions or traces wants all of them. Each user's own filter then trims the shared events back.
 * `undefined` when nobody needs a connection.
 */
export function unionOf(subscriptions: Iterable<TonUserSubscription>): TonUnion | undefined {
  const types = new Set<SubscribableEventType>()
  const addresses = new Set<string>()
  const hashes = new Set<string>()
  const actionTypes = new Set<string>()
  let allActionTypes = false
  let minFinality: TonFinality | undefined
  let includeAddressBook = false
  let includeMetadata = false
  for (const subscription of subscriptions) {
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
    minFinality = minFinality
      ? lowerFinality(minFinality, subscription.minFinality)
      : subscription.minFinality
    includeAddressBook ||= subscription.includeAddressBook
    includeMetadata ||= subscription.includeMetadata
  }
  if (types.size === 0 || minFinality === undefined) return undefined
  return {
    // A stable order, so that equal unions compare equal and cause no update.
    types: SUBSCRIBABLE_EVENT_TYPES.filter((type) => types.has(type)),
    addresses: [...addresses].sort(),
    traceExternalHashNorms: [...hashes].sort(),
    minFinality,
    actionTypes: allActionTypes ? [] : [...actionTypes].sort(),
    includeAddressBook,
    includeMetadata,
  }
}

/** A key that is equal for equal unions. */
export function unionKey(union: TonUnion | undefined): string {
  return union ? JSON.stringify(union) : ''
}

/** The union as stream options (`stream()` and `update()` take the same fields). */
export function toStreamUpdate(union: TonUnion): TonStreamUpdate & { types: SubscribableEventType[] } {
  return {
    types: union.types,
    addresses: union.addresses,
    traceExternalHashNorms: union.traceExternalHashNorms,
    minFinality: union.minFinality,
    actionTypes: union.actionTypes,
    includeAddressBook: union.includeAddressBook,
    includeMetadata: union.includeMetadata,
  }
}
