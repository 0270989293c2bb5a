import { TON_FINALITIES, type TonEventType } from './event-types.js'

/**
 * Lenient checks of what chainstream itself reads from a notification: the envelope (type, finality,
 * trace hash) and the few inner fields recovery and filtering depend on (transaction account/hash/lt,
 * action id/type, jetton wallet addresses). Every other field passes through untouched.
 *
 * Hand-written rather than zod: this runs once per event on the hot path, and a schema library's parse
 * copies every object it walks. These checks read fields and allocate nothing unless something is wrong.
 */

type Json = Record<string, unknown>
/** A problem as `path: message`, or undefined when the value is fine. */
type Issue = string | undefined

const FINALITIES: ReadonlySet<unknown> = new Set(TON_FINALITIES)

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function finality(object: Json): Issue {
  return FINALITIES.has(object.finality)
    ? undefined
    : `finality: expected one of ${TON_FINALITIES.join(', ')}, got ${JSON.stringify(object.finality)}`
}

function nonEmptyString(object: Json, key: string, path = key): Issue {
  const value = object[key]
  return typeof value === 'string' && value !== '' ? undefined : `${path}: expected a non-empty string`
}

/** The first of `keys` of `object` (at `path`) that is not a string, or an object that is none. */
export function strings(object: unknown, keys: readonly string[], path: string): Issue {
  if (!isObject(object)) return `${path}: expected an object`
  for (const key of keys) {
    if (typeof object[key] !== 'string') return `${path}.${key}: expected a string`
  }
  return undefined
}

function optionalRecord(object: Json, key: string): Issue {
  const value = object[key]
  return value === undefined || value === null || isObject(value) ? undefined : `${key}: expected an object`
}

function enrichments(object: Json): Issue {
  return optionalRecord(object, 'address_book') ?? optionalRecord(object, 'metadata')
}

/** What chainstream reads of a transaction and of an action, here and in API v3 answers. */
export const TRANSACTION_FIELDS = ['account', 'hash', 'lt'] as const
export const ACTION_FIELDS = ['action_id', 'type'] as const

/** `object[key]` as an array of objects with string `fields`. */
export function arrayOf(object: Json, key: string, fields: readonly string[], path = key): Issue {
  const list = object[key]
  if (!Array.isArray(list)) return `${path}: expected an array`
  for (let i = 0; i < list.length; i++) {
    const issue = strings(list[i], fields, `${path}.${i}`)
    if (issue) return issue
  }
  return undefined
}

const checks: Record<TonEventType, (object: Json) => Issue> = {
  transactions: (o) =>
    finality(o) ??
    nonEmptyString(o, 'trace_external_hash_norm') ??
    arrayOf(o, 'transactions', TRANSACTION_FIELDS) ??
    enrichments(o),
  actions: (o) =>
    finality(o) ??
    nonEmptyString(o, 'trace_external_hash_norm') ??
    arrayOf(o, 'actions', ACTION_FIELDS) ??
    enrichments(o),
  trace: (o) => {
    const issue =
      finality(o) ??
      nonEmptyString(o, 'trace_external_hash_norm') ??
      (isObject(o.trace) ? undefined : 'trace: expected an object') ??
      (isObject(o.transactions) ? undefined : 'transactions: expected an object') ??
      (o.actions === undefined || o.actions === null ? undefined : arrayOf(o, 'actions', ACTION_FIELDS)) ??
      enrichments(o)
    if (issue) return issue
    // for…in rather than Object.entries: a whole trace holds hundreds of transactions, and the pairs
    // array is garbage of every such event. Own keys only, as Object.entries gives.
    const transactions = o.transactions as Json
    for (const hash in transactions) {
      if (!Object.hasOwn(transactions, hash)) continue
      const bad = strings(transactions[hash], TRANSACTION_FIELDS, `transactions.${hash}`)
      if (bad) return bad
    }
    return undefined
  },
  account_state_change: (o) =>
    finality(o) ??
    nonEmptyString(o, 'account') ??
    (isObject(o.state) ? undefined : 'state: expected an object'),
  jettons_change: (o) => finality(o) ?? strings(o.jetton, ['address', 'owner'], 'jetton') ?? enrichments(o),
  trace_invalidated: (o) => nonEmptyString(o, 'trace_external_hash_norm'),
}

/** Checks a notification of a known type; returns the first problem as `path: message`, or undefined. */
export function checkNotification(type: TonEventType, object: Json): Issue {
  // A switch rather than `checks[type]`: `type` is a string fresh from JSON.parse (values longer than a
  // few characters are not internalized), and a keyed load with such a key goes through the string table
  // on every event.
  switch (type) {
    case 'transactions':
      return checks.transactions(object)
    case 'actions':
      return checks.actions(object)
    case 'trace':
      return checks.trace(object)
    case 'account_state_change':
      return checks.account_state_change(object)
    case 'jettons_change':
      return checks.jettons_change(object)
    case 'trace_invalidated':
      return checks.trace_invalidated(object)
  }
}

/** Checks a response envelope `{id?, status?, error?}` (each a string when present). */
export function checkResponse(object: Json): Issue {
  for (const key of ['id', 'status', 'error']) {
    if (object[key] !== undefined && typeof object[key] !== 'string') return `${key}: expected a string`
  }
  return undefined
}
