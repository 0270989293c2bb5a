import { ChainstreamError, type FetchLike } from '@chainstream/core'
import { type QueryValue, requestJson } from '@chainstream/core/provider'
import type { TonFinality } from '../protocol/event-types.js'
import { isObject } from '../protocol/notification-checks.js'
import type { Action, TraceNode, Transaction } from '../protocol/v3-types.js'
import {
  actionsProblem,
  blocksProblem,
  type Envelope,
  masterchainInfoProblem,
  type Problem,
  tracesProblem,
  transactionsProblem,
} from './v3-envelopes.js'

/** A trace as TON Center API v3 returns it (`/api/v3/traces`, `/api/v3/pendingTraces`). */
export interface V3Trace {
  trace_id: string | null
  external_hash?: string | null
  /** Not in every deployment; recovery falls back to the root message's `hash_norm`. */
  trace_external_hash_norm?: string
  start_lt?: string
  end_lt?: string
  /** Chain time of the trace's first and last transactions (unix seconds). */
  start_utime?: number
  end_utime?: number
  /** Set by servers that know it (the simulator does); otherwise derived from the transactions. */
  finality?: TonFinality
  /**
   * The masterchain block of the trace's last transaction: for a finalized trace, the block it finalized in.
   * A string of digits as the indexer writes it (`models.Trace`, `McSeqnoEnd HashType`).
   */
  mc_seqno_end?: string | number | null
  trace?: TraceNode | null
  transactions_order?: string[]
  transactions: Record<string, Transaction>
  actions?: Action[] | null
  is_incomplete?: boolean
}

/** Options of {@link createV3Client}. */
export interface V3ClientOptions {
  /** `https://toncenter.com/api/v3` (no trailing slash). */
  baseUrl: string
  /**
   * Sent as `X-API-Key`; a function is asked before each request (the client's key ring, which rotates).
   * A key is optional for API v3 (keyless requests are rate-limited to 1/s).
   */
  apiKey?: string | (() => string | undefined) | undefined
  /**
   * Where the key goes: the `X-API-Key` header, or the `api_key` query parameter (browsers, where a
   * custom header costs a CORS preflight the service may refuse). @default 'header'
   */
  keyVia?: 'header' | 'query'
  headers?: Record<string, string> | undefined
  fetch?: FetchLike | undefined
  /** Per-request time limit. @default 15_000 */
  timeoutMs?: number
}

/** Parameters of a v3 list request (arrays become repeated parameters). */
export type V3Query = Record<string, QueryValue>

/** The few TON Center API v3 calls recovery needs, with validated response envelopes. */
export interface V3Client {
  /** `GET /api/v3/transactions`: the transactions matching `query`, oldest first. */
  transactions(query: V3Query, signal: AbortSignal): Promise<Transaction[]>
  /** `GET /api/v3/actions`: the actions matching `query`, oldest first. */
  actions(query: V3Query, signal: AbortSignal): Promise<Action[]>
  /** `GET /api/v3/traces`: committed traces matching `query`. */
  traces(query: V3Query, signal: AbortSignal): Promise<V3Trace[]>
  /** `GET /api/v3/pendingTraces`: traces not yet committed (pending finality). */
  pendingTraces(query: V3Query, signal: AbortSignal): Promise<V3Trace[]>
  /**
   * `GET /api/v3/masterchainInfo`: the chain time of the latest indexed masterchain block (unix seconds), or
   * `undefined` when the deployment has no such endpoint (404, 405 or 501).
   */
  chainTime(signal: AbortSignal): Promise<number | undefined>
  /**
   * `GET /api/v3/blocks`: the seqno of the latest masterchain block generated at or before chain time
   * `utime`, `undefined` when the indexer has none, or `null` when the deployment has no such endpoint.
   */
  lastBlockAt(utime: number, signal: AbortSignal): Promise<number | undefined | null>
}

/**
 * `null` when an API v3 request failed because the deployment does not serve the endpoint at all (an indexer
 * of another version, another service's v3-compatible API) rather than for now; other failures are thrown.
 */
const unlessMissing = <T>(request: Promise<T>): Promise<T | null> =>
  request.catch((error: unknown) => {
    const status = error instanceof ChainstreamError ? error.status : undefined
    if (status === 404 || status === 405 || status === 501) return null
    throw error
  })

/**
 * A small TON Center API v3 client on core's `requestJson` (typed errors, `Retry-After`, jittered retries).
 * Only envelopes and the fields recovery reads are validated; objects pass through as returned.
 */
export function createV3Client(options: V3ClientOptions): V3Client {
  const keyOf =
    typeof options.apiKey === 'function' ? options.apiKey : () => options.apiKey as string | undefined
  const get = async <T>(
    path: string,
    query: V3Query,
    problemOf: (body: Envelope) => Problem,
    signal: AbortSignal,
  ): Promise<T> => {
    const key = keyOf()
    const inQuery = key !== undefined && key !== '' && options.keyVia === 'query'
    const response = await requestJson<unknown>(`${options.baseUrl}${path}`, {
      query: inQuery ? { ...query, api_key: key } : query,
      headers: key && !inQuery ? { ...options.headers, 'X-API-Key': key } : { ...options.headers },
      signal,
      timeoutMs: options.timeoutMs ?? 15_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    const issue = isObject(response.data) ? problemOf(response.data) : 'expected an object'
    if (issue !== undefined) {
      throw new ChainstreamError('ProtocolError', `Unexpected answer from API v3 ${path}: ${issue}`, {
        isRetryable: false,
      })
    }
    return response.data as T
  }
  return {
    transactions: async (query, signal) =>
      (await get<{ transactions: Transaction[] }>('/transactions', query, transactionsProblem, signal))
        .transactions,
    actions: async (query, signal) =>
      (await get<{ actions: Action[] }>('/actions', query, actionsProblem, signal)).actions,
    traces: async (query, signal) =>
      (await get<{ traces: V3Trace[] }>('/traces', query, tracesProblem, signal)).traces,
    pendingTraces: async (query, signal) =>
      (await get<{ traces: V3Trace[] }>('/pendingTraces', query, tracesProblem, signal)).traces,
    chainTime: async (signal) => {
      const info = await unlessMissing(
        get<{ last: { gen_utime: string } }>('/masterchainInfo', {}, masterchainInfoProblem, signal),
      )
      return info === null ? undefined : Number(info.last.gen_utime)
    },
    lastBlockAt: async (utime, signal) => {
      const query = { workchain: -1, end_utime: utime, sort: 'desc', limit: 1 }
      const answer = await unlessMissing(
        get<{ blocks: { seqno: number }[] }>('/blocks', query, blocksProblem, signal),
      )
      return answer === null ? null : answer.blocks[0]?.seqno
    },
  }
}
