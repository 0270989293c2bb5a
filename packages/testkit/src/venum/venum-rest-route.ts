import type { RecordedRequest } from '../request-record.js'
import { isVenumSignature } from './base58.js'
import { authFailure, requestKey } from './venum-auth.js'
import type { LedgerEntry, VenumLedger } from './venum-ledger.js'
import type { HttpAnswer } from './venum-stream-route.js'
import type { VenumRestFault, VenumRestRequestRecord } from './venum-types.js'

/** The simulator state a REST lookup is answered from. */
export interface RestRouteState {
  readonly apiKeys: ReadonlySet<string>
  readonly ledger: VenumLedger
  /** Scripted answers, taken first in first out before the real one. */
  readonly faults: VenumRestFault[]
  /** Fixed-window rate limit per key. */
  readonly limit: { readonly requests: number; readonly windowMs: number }
  readonly windows: Map<string, { start: number; count: number }>
}

/**
 * The body of `GET /v1/tx/:signature` for what the ledger knows, in the documented shape. There is no
 * top-level `landed` or `processed`: a landed transaction is not in the status cache yet (`not_found`),
 * and a processed one is `confirmed` with `confirmationStatus: processed`.
 */
export function restBody(signature: string, entry: LedgerEntry | undefined): Record<string, unknown> {
  const status = entry?.status
  if (entry === undefined || status === undefined || status === 'landed')
    return { signature, status: 'not_found' }
  const common = { signature, slot: entry.slot, fee: entry.fee, computeUnits: entry.computeUnits }
  switch (status) {
    case 'failed':
      return {
        ...common,
        status: 'failed',
        confirmationStatus: 'confirmed',
        confirmations: 3,
        error: entry.err ?? 'transaction failed',
      }
    case 'processed':
      return {
        ...common,
        status: 'confirmed',
        confirmationStatus: 'processed',
        confirmations: 0,
        error: null,
      }
    case 'confirmed':
      return {
        ...common,
        status: 'confirmed',
        confirmationStatus: 'confirmed',
        confirmations: 1,
        error: null,
      }
    default:
      return {
        ...common,
        status: 'finalized',
        confirmationStatus: 'finalized',
        confirmations: null,
        error: null,
      }
  }
}

/** Answers one `GET /v1/tx/:signature`, with rate-limit headers and any scripted fault. */
export function answerRest(
  request: RecordedRequest,
  url: URL,
  signature: string,
  state: RestRouteState,
  record: (entry: VenumRestRequestRecord) => void,
): HttpAnswer {
  const key = requestKey(request.headers, url.searchParams)
  const base = { url: request.url, signature, auth: key.auth, at: request.at }
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => {
    record({
      ...base,
      status,
      ...(status === 200 ? { txStatus: String((body as { status: unknown }).status) } : {}),
    })
    return { kind: 'answer', status, body, headers }
  }
  const unauthorized = authFailure(key, state.apiKeys)
  if (unauthorized || key.key === undefined) return answer(401, unauthorized)

  const now = Date.now()
  let window = state.windows.get(key.key)
  if (!window || now - window.start >= state.limit.windowMs) {
    window = { start: now, count: 0 }
    state.windows.set(key.key, window)
  }
  window.count++
  const resetAt = window.start + state.limit.windowMs
  const headers: Record<string, string> = {
    'x-ratelimit-remaining': String(Math.max(0, state.limit.requests - window.count)),
    'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
  }

  const fault = state.faults.shift()
  if (fault !== undefined && fault !== 'lookup-error') {
    const status = typeof fault === 'number' ? fault : fault.status
    const retryAfter =
      typeof fault === 'number' ? (status === 429 || status === 503 ? 1 : undefined) : fault.retryAfterSeconds
    return answer(
      status,
      { error: `scripted HTTP ${status}` },
      retryAfter !== undefined ? { ...headers, 'retry-after': String(retryAfter) } : headers,
    )
  }
  if (window.count > state.limit.requests) {
    const retryAfter = String(Math.max(1, Math.ceil((resetAt - now) / 1000)))
    return answer(429, { error: 'rate limit exceeded' }, { ...headers, 'retry-after': retryAfter })
  }
  if (!isVenumSignature(signature)) return answer(400, { error: 'invalid signature' }, headers)
  const body =
    fault === 'lookup-error'
      ? { signature, status: 'error', reason: 'upstream RPC lookup failed' }
      : restBody(signature, state.ledger.ensure(signature))
  return answer(200, body, headers)
}
