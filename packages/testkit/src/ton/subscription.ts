import { expandSupportedActionTypes, type SupportedActionTypes } from './action-types.js'
import { parseTonAddress } from './address.js'
import type { GoStruct } from './go-json.js'
import { TON_EVENT_TYPES, type TonEventType, type TonFinality } from './wire-types.js'

/** What one connection is subscribed to, as the server keeps it. */
export interface SubscriptionState {
  addresses: Set<string>
  traces: Set<string>
  types: Set<TonEventType>
  actionTypes: string[]
  /** As requested (before shortcut expansion). */
  supportedActionTypes: string[]
  supported: SupportedActionTypes
  includeAddressBook: boolean
  includeMetadata: boolean
  minFinality: TonFinality
}

/** A read-only copy of a connection's subscription, for tests. */
export interface TonSubscriptionView {
  /** Raw, upper-case. */
  readonly addresses: readonly string[]
  readonly traceExternalHashNorms: readonly string[]
  readonly types: readonly TonEventType[]
  readonly minFinality: TonFinality
  readonly actionTypes: readonly string[]
  readonly supportedActionTypes: readonly string[]
  readonly includeAddressBook: boolean
  readonly includeMetadata: boolean
}

/** The state of a WebSocket before its first `subscribe`: nothing, finalized, latest classifier. */
export function emptySubscription(supportedActionTypes: readonly string[] = ['latest']): SubscriptionState {
  return {
    addresses: new Set(),
    traces: new Set(),
    types: new Set(),
    actionTypes: [],
    supportedActionTypes: [...supportedActionTypes],
    supported: expandSupportedActionTypes(supportedActionTypes),
    includeAddressBook: false,
    includeMetadata: false,
    minFinality: 'finalized',
  }
}

export function viewSubscription(state: SubscriptionState): TonSubscriptionView {
  return {
    addresses: [...state.addresses],
    traceExternalHashNorms: [...state.traces],
    types: [...state.types],
    minFinality: state.minFinality,
    actionTypes: [...state.actionTypes],
    supportedActionTypes: [...state.supportedActionTypes],
    includeAddressBook: state.includeAddressBook,
    includeMetadata: state.includeMetadata,
  }
}

const eventTypes = { kind: 'strings', goType: '[]v2.EventType', elemGoType: 'v2.EventType' } as const
const strings = { kind: 'strings', goType: '[]string', elemGoType: 'string' } as const
const subscriptionFields = {
  addresses: strings,
  trace_external_hash_norms: strings,
  types: eventTypes,
  min_finality: { kind: 'finality' },
  action_types: strings,
  supported_action_types: strings,
  include_address_book: { kind: 'bool' },
  include_metadata: { kind: 'bool' },
} as const

/** The SSE request body. */
export const SSE_REQUEST: GoStruct = {
  name: 'SSERequest',
  qualifiedName: 'v2.SSERequest',
  fields: { id: { kind: 'string', goType: 'string' }, ...subscriptionFields },
}
/** The part of every WebSocket message read first. */
export const WS_ENVELOPE: GoStruct = {
  name: 'Envelope',
  qualifiedName: 'v2.Envelope',
  fields: { id: { kind: 'string', goType: 'string' }, operation: { kind: 'string', goType: 'v2.Operation' } },
}
export const WS_SUBSCRIBE: GoStruct = {
  name: 'SubscribeRequest',
  qualifiedName: 'v2.SubscribeRequest',
  fields: subscriptionFields,
}
export const WS_UNSUBSCRIBE: GoStruct = {
  name: 'UnsubscribeRequest',
  qualifiedName: 'v2.UnsubscribeRequest',
  fields: { addresses: strings, trace_external_hash_norms: strings },
}

/** What a valid subscribe request asks for, normalised. */
export interface SubscriptionTargets {
  types: TonEventType[]
  addresses: string[]
  traces: string[]
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string }

const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : [])

/** Normalises and dedupes addresses; the first bad one is the error. */
export function convertAddresses(addresses: readonly string[]): Checked<string[]> {
  const out: string[] = []
  for (const address of addresses) {
    const raw = parseTonAddress(address)
    if (raw === undefined) return { ok: false, error: `invalid address: ${address}` }
    if (!out.includes(raw)) out.push(raw)
  }
  return { ok: true, value: out }
}

/** Trims and dedupes trace hashes; an empty one is an error. */
export function convertTraces(traces: readonly string[]): Checked<string[]> {
  const out: string[] = []
  for (const trace of traces) {
    const trimmed = trace.trim()
    if (trimmed === '') return { ok: false, error: 'trace_external_hash_norms contains empty value' }
    if (!out.includes(trimmed)) out.push(trimmed)
  }
  return { ok: true, value: out }
}

/**
 * Validates the targets of a subscription in the server's order. The two "required" messages differ
 * between SSE (`… for subscription`) and WebSocket, hence the `wording` parameter.
 */
export function validateTargets(
  request: Record<string, unknown>,
  wording: 'sse' | 'ws',
): Checked<SubscriptionTargets> {
  const suffix = wording === 'sse' ? ' for subscription' : ''
  const types = list(request.types)
  if (types.length === 0) return { ok: false, error: `types are required${suffix}` }
  for (const type of types) {
    if (!(TON_EVENT_TYPES as readonly string[]).includes(type))
      return { ok: false, error: `invalid event type: ${type}` }
  }
  const addresses = convertAddresses(list(request.addresses))
  if (!addresses.ok) return addresses
  const traces = convertTraces(list(request.trace_external_hash_norms))
  if (!traces.ok) return traces
  const hasTrace = types.includes('trace')
  const hasAddressTypes = types.some((type) => type !== 'trace')
  if (traces.value.length > 0 && !hasTrace)
    return { ok: false, error: 'trace_external_hash_norms requires type "trace"' }
  if (hasTrace && traces.value.length === 0) {
    return { ok: false, error: 'trace_external_hash_norms are required for trace subscription' }
  }
  if (hasAddressTypes && addresses.value.length === 0)
    return { ok: false, error: `addresses are required${suffix}` }
  return {
    ok: true,
    value: { types: [...new Set(types)] as TonEventType[], addresses: addresses.value, traces: traces.value },
  }
}

/** The `supported_action_types` of a request, else the `X-Actions-Version` header, else `latest`. */
export function requestedSupportedTypes(
  request: Record<string, unknown>,
  header: string | undefined,
): string[] {
  const requested = list(request.supported_action_types)
  if (requested.length > 0) return requested
  if (header !== undefined && header !== '') return [header]
  return ['latest']
}

/** Builds the subscription of a new SSE connection. */
export function sseSubscription(
  request: Record<string, unknown>,
  targets: SubscriptionTargets,
  actionsVersionHeader: string | undefined,
): SubscriptionState {
  const supportedActionTypes = requestedSupportedTypes(request, actionsVersionHeader)
  return {
    addresses: new Set(targets.addresses),
    traces: new Set(targets.traces),
    types: new Set(targets.types),
    actionTypes: list(request.action_types),
    supportedActionTypes,
    supported: expandSupportedActionTypes(supportedActionTypes),
    includeAddressBook: request.include_address_book === true,
    includeMetadata: request.include_metadata === true,
    minFinality: (request.min_finality as TonFinality | undefined) ?? 'finalized',
  }
}

/**
 * Applies a WebSocket `subscribe` with the server's replace semantics and quirks: targets and types are
 * replaced; an omitted `min_finality` / `include_*` keeps its value; the action filters change only when
 * the new list is non-empty.
 */
export function replaceSubscription(
  state: SubscriptionState,
  request: Record<string, unknown>,
  targets: SubscriptionTargets,
): void {
  state.addresses = new Set(targets.addresses)
  state.traces = new Set(targets.traces)
  state.types = new Set(targets.types)
  if (request.min_finality !== undefined) state.minFinality = request.min_finality as TonFinality
  if (request.include_address_book !== undefined)
    state.includeAddressBook = request.include_address_book as boolean
  if (request.include_metadata !== undefined) state.includeMetadata = request.include_metadata as boolean
  const supported = list(request.supported_action_types)
  if (supported.length > 0) {
    state.supportedActionTypes = supported
    state.supported = expandSupportedActionTypes(supported)
  }
  const actionTypes = list(request.action_types)
  if (actionTypes.length > 0) state.actionTypes = actionTypes
}
