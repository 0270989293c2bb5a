import { isTonAddress, normalizeTonAddress, normalizeTraceHash } from '@chainstream/provider-toncenter'
import type { TonUserSubscription, TonUserSubscriptionInput } from './ton-user-subscription.js'

/** Addresses and trace hashes named by a control message. */
export interface TonTargets {
  addresses: string[]
  traceExternalHashNorms: string[]
}

/** Fields of an object `msg.topic` besides the targets (they replace the node's settings). */
type SettingFields = Pick<
  TonUserSubscriptionInput,
  'types' | 'minFinality' | 'actionTypes' | 'includeAddressBook' | 'includeMetadata'
>

/**
 * Sorts the targets of `msg.topic`: a string, an array of strings, or an object
 * `{ addresses, traceExternalHashNorms }`. A string is an address when it parses as one (raw or
 * user-friendly), otherwise it must be a trace hash (base64 or 64 hex digits).
 *
 * @throws Error naming a string that is neither.
 */
export function targetsOf(topic: unknown): TonTargets {
  const targets: TonTargets = { addresses: [], traceExternalHashNorms: [] }
  const add = (value: unknown) => {
    if (typeof value !== 'string') throw new Error(`a target must be a string, got ${typeof value}`)
    const text = value.trim()
    if (text === '') return
    if (isTonAddress(text)) targets.addresses.push(normalizeTonAddress(text))
    else {
      try {
        targets.traceExternalHashNorms.push(normalizeTraceHash(text))
      } catch {
        throw new Error(`"${text}" is neither a TON address nor a trace hash`)
      }
    }
  }
  if (typeof topic === 'string') for (const part of topic.split(/[\s,]+/)) add(part)
  else if (Array.isArray(topic)) for (const item of topic) add(item)
  else if (topic && typeof topic === 'object') {
    // Named fields are taken for what they say they are: an invalid entry fails with the provider's reason.
    const object = topic as { addresses?: unknown; traceExternalHashNorms?: unknown; traceHashes?: unknown }
    for (const address of strings(object.addresses, 'addresses'))
      targets.addresses.push(normalizeTonAddress(address))
    for (const hash of [
      ...strings(object.traceExternalHashNorms, 'traceExternalHashNorms'),
      ...strings(object.traceHashes, 'traceHashes'),
    ]) {
      targets.traceExternalHashNorms.push(normalizeTraceHash(hash))
    }
  }
  return targets
}

/** The settings an object `msg.topic` changes (types, finality, action types, enrichments). */
export function settingsOf(topic: unknown): SettingFields {
  if (!topic || typeof topic !== 'object' || Array.isArray(topic)) return {}
  const object = topic as Record<string, unknown>
  const settings: SettingFields = {}
  if (object.types !== undefined) settings.types = stringList(object.types, 'types')
  if (object.minFinality !== undefined) settings.minFinality = String(object.minFinality)
  if (object.actionTypes !== undefined) settings.actionTypes = stringList(object.actionTypes, 'actionTypes')
  if (typeof object.includeAddressBook === 'boolean') settings.includeAddressBook = object.includeAddressBook
  if (typeof object.includeMetadata === 'boolean') settings.includeMetadata = object.includeMetadata
  return settings
}

function strings(value: unknown, name: string): string[] {
  if (value === undefined) return []
  return stringList(value, name)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

function stringList(value: unknown, name: string): string[] {
  const list = Array.isArray(value) ? value : [value]
  if (!list.every((item) => typeof item === 'string')) throw new Error(`msg.topic.${name} must be strings`)
  return list as string[]
}

/** The subscription with targets added (and trace hashes bringing the `trace` type with them). */
export function withTargets(
  current: TonUserSubscription,
  targets: TonTargets,
  settings: SettingFields = {},
): TonUserSubscriptionInput {
  const types = [...(settings.types ?? current.types)]
  if (targets.traceExternalHashNorms.length > 0 && !types.includes('trace')) types.push('trace')
  if (targets.addresses.length > 0 && !types.some((type) => type !== 'trace')) {
    throw new Error(
      'this node streams no address event types; pass types in msg.topic or pick them in the node',
    )
  }
  return {
    ...current,
    ...settings,
    types,
    addresses: [...current.addresses, ...targets.addresses],
    traceExternalHashNorms: [...current.traceExternalHashNorms, ...targets.traceExternalHashNorms],
  }
}

/** The subscription without these targets (`undefined`: without any target). */
export function withoutTargets(
  current: TonUserSubscription,
  targets: TonTargets | undefined,
): TonUserSubscriptionInput {
  if (!targets) return { ...current, addresses: [], traceExternalHashNorms: [] }
  const addresses = new Set(targets.addresses)
  const hashes = new Set(targets.traceExternalHashNorms)
  return {
    ...current,
    addresses: current.addresses.filter((address) => !addresses.has(address)),
    traceExternalHashNorms: current.traceExternalHashNorms.filter((hash) => !hashes.has(hash)),
  }
}
