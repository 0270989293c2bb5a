import {
  normalizeTonAddress,
  normalizeTraceHash,
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  TON_FINALITIES,
  type TonFinality,
  type TonStreamUpdate,
} from '@chainstream/provider-toncenter'
import { resolveTonSubscription } from '@chainstream/provider-toncenter/protocol'

/**
 * What one `ton-stream` node is set to follow. Unlike a stream's subscription it may name types that
 * have no targets yet (they wait for a dynamic `subscribe`). Addresses are raw `0:HEX`, trace hashes
 * canonical base64, so targets compare exactly with what the server sends.
 */
export interface TonUserSubscription {
  readonly types: readonly SubscribableEventType[]
  readonly addresses: readonly string[]
  readonly traceExternalHashNorms: readonly string[]
  readonly minFinality: TonFinality
  /** Empty: every action type. */
  readonly actionTypes: readonly string[]
  readonly includeAddressBook: boolean
  readonly includeMetadata: boolean
}

/** The fields a node may give, in any address and hash form. */
export interface TonUserSubscriptionInput {
  types?: readonly string[]
  addresses?: readonly string[]
  traceExternalHashNorms?: readonly string[]
  minFinality?: string
  actionTypes?: readonly string[]
  includeAddressBook?: boolean
  includeMetadata?: boolean
}

const SUBSCRIBABLE: ReadonlySet<string> = new Set(SUBSCRIBABLE_EVENT_TYPES)

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)]

/**
 * Normalises and checks a node's subscription. Types without targets are allowed (they wait for a
 * dynamic `subscribe`); everything given must be valid, so a typo fails here, at the node that made it,
 * and never reaches its stream.
 *
 * @throws ChainstreamError (`InvalidArgument`, `InvalidSubscription`) naming the bad value.
 */
export function toUserSubscription(input: TonUserSubscriptionInput): TonUserSubscription {
  const types = unique(input.types ?? [])
  for (const type of types) {
    if (!SUBSCRIBABLE.has(type)) {
      throw new Error(
        type === 'trace_invalidated'
          ? 'trace_invalidated is always delivered; do not list it in types'
          : `unknown event type "${type}" (expected ${SUBSCRIBABLE_EVENT_TYPES.join(', ')})`,
      )
    }
  }
  const minFinality = input.minFinality ?? 'finalized'
  if (!(TON_FINALITIES as readonly string[]).includes(minFinality)) {
    throw new Error(`unknown finality "${minFinality}" (expected ${TON_FINALITIES.join(', ')})`)
  }
  const subscription: TonUserSubscription = {
    types: types as SubscribableEventType[],
    addresses: unique((input.addresses ?? []).map((address) => normalizeTonAddress(address.trim()))),
    traceExternalHashNorms: unique(
      (input.traceExternalHashNorms ?? []).map((hash) => normalizeTraceHash(hash)),
    ),
    minFinality: minFinality as TonFinality,
    actionTypes: unique((input.actionTypes ?? []).map((type) => type.trim()).filter((type) => type !== '')),
    includeAddressBook: input.includeAddressBook ?? false,
    includeMetadata: input.includeMetadata ?? false,
  }
  const active = activeTypes(subscription)
  // The provider's own validation mirrors the server's rules: run the active part through it.
  if (active.length > 0) resolveTonSubscription(streamFields(subscription))
  return subscription
}

/**
 * The types that can be subscribed now: `trace` needs trace hashes, every other type needs addresses.
 * The others wait for targets.
 */
export function activeTypes(subscription: TonUserSubscription): SubscribableEventType[] {
  return subscription.types.filter((type) =>
    type === 'trace' ? subscription.traceExternalHashNorms.length > 0 : subscription.addresses.length > 0,
  )
}

/** Whether the subscription has anything the server could send. */
export function isActive(subscription: TonUserSubscription): boolean {
  return activeTypes(subscription).length > 0
}

/**
 * The subscription of the node's stream: the active types with their targets, every field given, as
 * `stream()` and `update()` take them (`update()` replaces the fields it is given, so none is left out).
 */
export function streamFields(
  subscription: TonUserSubscription,
): Required<Omit<TonStreamUpdate, 'supportedActionTypes'>> {
  const types = activeTypes(subscription)
  return {
    types,
    addresses: types.some((type) => type !== 'trace') ? [...subscription.addresses] : [],
    traceExternalHashNorms: types.includes('trace') ? [...subscription.traceExternalHashNorms] : [],
    minFinality: subscription.minFinality,
    actionTypes: [...subscription.actionTypes],
    includeAddressBook: subscription.includeAddressBook,
    includeMetadata: subscription.includeMetadata,
  }
}
