import { ChainstreamError } from '@chainstream/core'
import {
  arrayOf,
  boolean,
  nonEmptyString,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  string,
} from '@chainstream/core/provider'
import type { ActionType } from './action-types.js'
import { normalizeTonAddress } from './address.js'
import {
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  TON_FINALITIES,
  type TonFinality,
} from './event-types.js'
import { normalizeTraceHash } from './trace-hash.js'

/**
 * What to stream, in chainstream's camelCase. Mapped one to one onto the server's snake_case fields by
 * {@link toWireSubscription}.
 */
export interface TonSubscriptionOptions {
  /**
   * Event types to receive. `trace_invalidated` is never listed: the server refuses it here and always
   * delivers invalidations anyway.
   */
  types: readonly SubscribableEventType[]
  /**
   * Accounts to follow, in any address form (raw or user-friendly); required for every type except `trace`.
   * Normalised to raw and deduplicated.
   */
  addresses?: readonly string[]
  /** Traces to follow (`trace_external_hash_norm`); required when, and only when, `types` has `trace`. */
  traceExternalHashNorms?: readonly string[]
  /** The lowest finality delivered. @default 'finalized' */
  minFinality?: TonFinality
  /** Attach an address book to notifications. @default false */
  includeAddressBook?: boolean
  /** Attach token metadata to notifications. @default false */
  includeMetadata?: boolean
  /** Only these action types in `actions` (and in the actions of `trace`). @default all */
  actionTypes?: readonly ActionType[]
  /** The action classifier version or groups (`latest`, `v1`…`v4`, `jettons`, …). @default the server's ['latest'] */
  supportedActionTypes?: readonly string[]
}

/** A validated, normalised subscription: every field present, addresses raw, hashes canonical. */
export interface TonSubscription {
  readonly types: readonly SubscribableEventType[]
  readonly addresses: readonly string[]
  readonly traceExternalHashNorms: readonly string[]
  readonly minFinality: TonFinality
  readonly includeAddressBook: boolean
  readonly includeMetadata: boolean
  readonly actionTypes: readonly ActionType[]
  readonly supportedActionTypes: readonly string[]
}

/** The subscription as the server reads it (SSE body, and the fields of a WebSocket `subscribe`). */
export interface WireSubscription {
  types: SubscribableEventType[]
  addresses?: string[]
  trace_external_hash_norms?: string[]
  min_finality: TonFinality
  include_address_book: boolean
  include_metadata: boolean
  action_types?: string[]
  supported_action_types?: string[]
}

/** Fields {@link applySubscriptionChange} can replace. */
export type TonSubscriptionChange = Partial<TonSubscriptionOptions>

const stringList = optional(arrayOf(string()))
const nonEmptyList = (message: string) => optional(arrayOf(nonEmptyString(message)))

const optionsSchema = optionsObject({
  types: stringList,
  addresses: stringList,
  traceExternalHashNorms: stringList,
  minFinality: optional(oneOf(TON_FINALITIES)),
  includeAddressBook: optional(boolean()),
  includeMetadata: optional(boolean()),
  actionTypes: nonEmptyList('an action type is empty'),
  supportedActionTypes: nonEmptyList('a supported action type is empty'),
})

const SUBSCRIBABLE: ReadonlySet<string> = new Set(SUBSCRIBABLE_EVENT_TYPES)

function invalidSubscription(message: string): ChainstreamError {
  return new ChainstreamError('InvalidSubscription', message, { isRetryable: false })
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

/**
 * Validates a subscription the way the server would, before anything is sent, and normalises it:
 * addresses become raw `0:HEX` (deduplicated), trace hashes canonical base64, defaults filled in.
 *
 * @throws {ChainstreamError} `InvalidArgument` for malformed options or addresses; `InvalidSubscription`
 * for combinations the server rejects (no `types`, `trace_invalidated` in `types`, missing addresses, trace
 * hashes without `trace` or the reverse).
 * @example
 * ```ts
 * const subscription = resolveTonSubscription({
 *   types: ['transactions', 'actions'],
 *   addresses: ['EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'],
 *   minFinality: 'confirmed',
 * })
 * ```
 */
export function resolveTonSubscription(input: TonSubscriptionOptions): TonSubscription {
  const options = parseOptions(optionsSchema, input, 'TON subscription')
  const types = checkTypes(options.types)
  const addresses = unique((options.addresses ?? []).map((address) => normalizeTonAddress(address)))
  const traceExternalHashNorms = unique(
    (options.traceExternalHashNorms ?? []).map((hash, index) => {
      if (hash.trim() === '') {
        throw new ChainstreamError('InvalidArgument', `traceExternalHashNorms[${index}] is an empty string`, {
          isRetryable: false,
        })
      }
      return normalizeTraceHash(hash)
    }),
  )
  const subscription: TonSubscription = {
    types,
    addresses,
    traceExternalHashNorms,
    minFinality: options.minFinality ?? 'finalized',
    includeAddressBook: options.includeAddressBook ?? false,
    includeMetadata: options.includeMetadata ?? false,
    actionTypes: unique(options.actionTypes ?? []),
    supportedActionTypes: unique(options.supportedActionTypes ?? []),
  }
  checkTargets(subscription)
  return subscription
}

function checkTypes(types: readonly string[] | undefined): SubscribableEventType[] {
  if (!types || types.length === 0) {
    throw invalidSubscription(
      `types is required: list at least one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')} (trace_invalidated is always delivered)`,
    )
  }
  for (const type of types) {
    if (type === 'trace_invalidated') {
      throw invalidSubscription(
        "'trace_invalidated' must not be listed in types: the server rejects it there (invalid event type), and invalidations are always delivered without asking",
      )
    }
    if (!SUBSCRIBABLE.has(type)) {
      throw invalidSubscription(
        `Unknown event type "${type}" in types; expected ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}`,
      )
    }
  }
  return unique(types as SubscribableEventType[])
}

/** The server's rules on what each type needs: addresses for all but `trace`, trace hashes iff `trace`. */
function checkTargets(subscription: TonSubscription): void {
  const byAddress = subscription.types.filter((type) => type !== 'trace')
  if (byAddress.length > 0 && subscription.addresses.length === 0) {
    throw invalidSubscription(
      `addresses is required for ${byAddress.join(', ')}: every type except trace follows accounts`,
    )
  }
  const wantsTrace = subscription.types.includes('trace')
  if (wantsTrace && subscription.traceExternalHashNorms.length === 0) {
    throw invalidSubscription(
      "types include 'trace', which needs traceExternalHashNorms (the traces to follow)",
    )
  }
  if (!wantsTrace && subscription.traceExternalHashNorms.length > 0) {
    throw invalidSubscription("traceExternalHashNorms requires 'trace' in types")
  }
}

/**
 * Replaces the fields present in `change` (replace semantics, like the server's `subscribe`) and validates
 * the result as a whole.
 *
 * @throws {ChainstreamError} as {@link resolveTonSubscription}.
 */
export function applySubscriptionChange(
  current: TonSubscription,
  change: TonSubscriptionChange,
): TonSubscription {
  const merged: TonSubscriptionOptions = { ...toOptions(current) }
  for (const [key, value] of Object.entries(change)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value
  }
  return resolveTonSubscription(merged)
}

/**
 * Removes addresses and/or trace hashes (never types), like the server's `unsubscribe`. The result may have
 * nothing left to follow for some types; {@link toWireSubscription} leaves those out, and
 * {@link isIdleSubscription} says when nothing at all is left.
 *
 * @throws {ChainstreamError} `InvalidArgument` when neither list is given, or an entry is not valid.
 */
export function removeFromSubscription(
  current: TonSubscription,
  remove: { addresses?: readonly string[]; traceExternalHashNorms?: readonly string[] },
): TonSubscription {
  const addresses = remove.addresses ?? []
  const hashes = remove.traceExternalHashNorms ?? []
  if (addresses.length === 0 && hashes.length === 0) {
    throw new ChainstreamError(
      'InvalidArgument',
      'unsubscribe needs addresses or traceExternalHashNorms (event types cannot be unsubscribed; use update({ types }))',
      { isRetryable: false },
    )
  }
  const goneAddresses = new Set(addresses.map((address) => normalizeTonAddress(address)))
  const goneHashes = new Set(hashes.map((hash) => normalizeTraceHash(hash)))
  return {
    ...current,
    addresses: current.addresses.filter((address) => !goneAddresses.has(address)),
    traceExternalHashNorms: current.traceExternalHashNorms.filter((hash) => !goneHashes.has(hash)),
  }
}

/** Types that still have something to follow (addresses, or trace hashes for `trace`). */
function liveTypes(subscription: TonSubscription): SubscribableEventType[] {
  return subscription.types.filter((type) =>
    type === 'trace' ? subscription.traceExternalHashNorms.length > 0 : subscription.addresses.length > 0,
  )
}

/** True when nothing is left to follow (everything was unsubscribed): there is no valid request to send. */
export function isIdleSubscription(subscription: TonSubscription): boolean {
  return liveTypes(subscription).length === 0
}

/**
 * The server's snake_case form. `min_finality` and the `include_*` flags are always sent explicitly: on
 * WebSocket an omitted value would silently keep the previous subscription's. Types left with nothing to
 * follow after an unsubscribe are omitted, as the server would otherwise reject the request.
 *
 * @example
 * ```ts
 * toWireSubscription(subscription)
 * // { types: ['transactions'], addresses: ['0:CA6E…'], min_finality: 'confirmed', include_address_book: false, … }
 * ```
 */
export function toWireSubscription(subscription: TonSubscription): WireSubscription {
  const types = liveTypes(subscription)
  const wire: WireSubscription = {
    types,
    min_finality: subscription.minFinality,
    include_address_book: subscription.includeAddressBook,
    include_metadata: subscription.includeMetadata,
  }
  if (types.some((type) => type !== 'trace')) wire.addresses = [...subscription.addresses]
  if (types.includes('trace')) wire.trace_external_hash_norms = [...subscription.traceExternalHashNorms]
  if (subscription.actionTypes.length > 0) wire.action_types = [...subscription.actionTypes]
  if (subscription.supportedActionTypes.length > 0)
    wire.supported_action_types = [...subscription.supportedActionTypes]
  return wire
}

/**
 * Whether moving from `previous` to `next` on a live WebSocket needs a new connection: the server replaces
 * `action_types` and `supported_action_types` only with non-empty lists, so clearing either is impossible
 * in place.
 */
export function needsReconnectToApply(previous: TonSubscription, next: TonSubscription): boolean {
  return (
    (previous.actionTypes.length > 0 && next.actionTypes.length === 0) ||
    (previous.supportedActionTypes.length > 0 && next.supportedActionTypes.length === 0)
  )
}

/** Back to options form (for merging a change). */
function toOptions(subscription: TonSubscription): TonSubscriptionOptions {
  return {
    types: subscription.types,
    addresses: subscription.addresses,
    traceExternalHashNorms: subscription.traceExternalHashNorms,
    minFinality: subscription.minFinality,
    includeAddressBook: subscription.includeAddressBook,
    includeMetadata: subscription.includeMetadata,
    actionTypes: subscription.actionTypes,
    supportedActionTypes: subscription.supportedActionTypes,
  }
}
