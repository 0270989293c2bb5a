import {
  ACTION_FIELDS,
  arrayOf,
  isObject,
  strings,
  TRANSACTION_FIELDS,
} from '../protocol/notification-checks.js'

// The answers of API v3 are checked as far as recovery reads them, by the same field checks as stream
// notifications: a transaction is its account, hash and lt; an action its id and type. Everything else
// passes through as returned.

/** A problem as `path: message`, or undefined. */
export type Problem = string | undefined
/** An answer's top-level object. */
export type Envelope = Record<string, unknown>

/** A trace's `trace_id`, its `transactions` (by hash) and its `actions` (absent or null unless asked for). */
function traceProblem(trace: unknown, path: string): Problem {
  if (!isObject(trace)) return `${path}: expected an object`
  if (trace.trace_id != null && typeof trace.trace_id !== 'string')
    return `${path}.trace_id: expected a string`
  const transactions = trace.transactions
  if (!isObject(transactions)) return `${path}.transactions: expected an object`
  for (const hash in transactions) {
    const problem = strings(transactions[hash], TRANSACTION_FIELDS, `${path}.transactions.${hash}`)
    if (problem) return problem
  }
  return trace.actions == null ? undefined : arrayOf(trace, 'actions', ACTION_FIELDS, `${path}.actions`)
}

/** `/traces` and `/pendingTraces`: `{ traces: [...] }`. */
export function tracesProblem(body: Envelope): Problem {
  if (!Array.isArray(body.traces)) return 'traces: expected an array'
  for (let i = 0; i < body.traces.length; i++) {
    const problem = traceProblem(body.traces[i], `traces.${i}`)
    if (problem) return problem
  }
  return undefined
}

/** `/transactions`: `{ transactions: [...] }`. */
export const transactionsProblem = (body: Envelope): Problem =>
  arrayOf(body, 'transactions', TRANSACTION_FIELDS)

/** `/actions`: `{ actions: [...] }`. */
export const actionsProblem = (body: Envelope): Problem => arrayOf(body, 'actions', ACTION_FIELDS)

/**
 * `/masterchainInfo`: `{ last: { gen_utime } }`, the chain time of the latest indexed masterchain block (a
 * string of digits, as the indexer writes it: toncenter/ton-indexer `models.Block`, `json:"gen_utime,string"`).
 */
export const masterchainInfoProblem = (body: Envelope): Problem =>
  isObject(body.last) && /^\d+$/.test(String(body.last.gen_utime))
    ? undefined
    : 'last.gen_utime: expected unix seconds'

/**
 * `/blocks`: `{ blocks: [{ seqno }] }`. Recovery reads only the seqno (a number: toncenter/ton-indexer
 * `models.Block`, `json:"seqno"`).
 */
export function blocksProblem(body: Envelope): Problem {
  if (!Array.isArray(body.blocks)) return 'blocks: expected an array'
  for (let i = 0; i < body.blocks.length; i++) {
    const block = body.blocks[i]
    if (!isObject(block) || !Number.isInteger(block.seqno))
      return `blocks.${i}.seqno: expected a whole number`
  }
  return undefined
}
