import type { RecordedRequest } from '../request-record.js'
import { isVenumSignature } from './base58.js'
import { authFailure, requestKey } from './venum-auth.js'
import { rankOf } from './venum-lifecycle.js'
import { VENUM_STREAM_EVENTS, type VenumStreamEvent, type VenumStreamRequestRecord } from './venum-types.js'

/** The most signatures one stream accepts. */
export const MAX_STREAM_SIGNATURES = 10

/** The simulator state a stream request is checked against. */
export interface StreamRouteState {
  readonly apiKeys: ReadonlySet<string>
  readonly maxStreamsPerKey: number
  readonly retryAfterSeconds: number
  tierPolling: boolean
  /** Open streams per API key. */
  readonly openPerKey: Map<string, number>
}

/** A stream request that passed every check. */
export interface AcceptedStream {
  readonly kind: 'accepted'
  readonly key: string
  readonly signatures: readonly string[]
  readonly events: ReadonlySet<VenumStreamEvent>
}

/** A plain HTTP answer (a refusal, or a REST response). */
export interface HttpAnswer {
  readonly kind: 'answer'
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

const isEvent = (name: string): name is VenumStreamEvent =>
  (VENUM_STREAM_EVENTS as readonly string[]).includes(name)

/**
 * Checks a `GET /v1/stream/tx` request the way Venum documents it: 401 (missing or invalid key), 400
 * (missing signatures, more than 10, a bad signature, an unknown event name), 503 (commitment-tier
 * polling off, for requests beyond `landed`), 429 (the key's SSE connection limit, with `Retry-After`).
 * Returns what to stream, or the refusal to answer with.
 */
export function checkStreamRequest(
  request: RecordedRequest,
  url: URL,
  state: StreamRouteState,
  record: (entry: VenumStreamRequestRecord) => void,
): AcceptedStream | HttpAnswer {
  const key = requestKey(request.headers, url.searchParams)
  const raw = url.searchParams.get('signatures') ?? ''
  const signatures = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ]
  const eventNames = (url.searchParams.get('events') ?? 'landed')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  const refuse = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => {
    record({ url: request.url, signatures, events: eventNames, auth: key.auth, status, at: request.at })
    return { kind: 'answer', status, body, headers }
  }

  const unauthorized = authFailure(key, state.apiKeys)
  if (unauthorized || key.key === undefined) return refuse(401, unauthorized)
  if (signatures.length === 0) return refuse(400, { error: 'missing signatures' })
  if (signatures.length > MAX_STREAM_SIGNATURES) {
    return refuse(400, { error: `too many signatures: at most ${MAX_STREAM_SIGNATURES} per stream` })
  }
  const bad = signatures.find((s) => !isVenumSignature(s))
  if (bad !== undefined) return refuse(400, { error: 'invalid signature', signature: bad })
  const unknown = eventNames.find((name) => !isEvent(name))
  if (unknown !== undefined) return refuse(400, { error: `invalid event name: ${unknown}` })
  const events = new Set(eventNames.filter(isEvent))
  if (events.size === 0) events.add('landed')
  const needsPolling = [...events].some((e) => rankOf(e) >= 2)
  if (needsPolling && !state.tierPolling) {
    return refuse(503, { error: 'commitment-tier polling is unavailable on this server' })
  }
  const open = state.openPerKey.get(key.key) ?? 0
  if (open >= state.maxStreamsPerKey) {
    return refuse(
      429,
      { error: 'SSE connection limit exceeded' },
      { 'retry-after': String(state.retryAfterSeconds) },
    )
  }
  record({ url: request.url, signatures, events: [...events], auth: key.auth, status: 200, at: request.at })
  return { kind: 'accepted', key: key.key, signatures, events }
}
