import { ChainstreamError, type FinalityTier, type Outcome } from '@chainstream/core'
import { redactUrl, requestJson } from '@chainstream/core/provider'
import { observationFromVenumRest } from './venum-observations.js'
import { txUrl, type VenumConfig } from './venum-options.js'

/**
 * The answer of `GET /v1/tx/:signature`, in Venum's field names, plus where it puts the transaction on
 * the neutral finality model.
 *
 * There is no top-level `landed` or `processed`: a transaction that only landed is `not_found` (not in
 * the status cache yet), and a processed one is `confirmed` with `confirmationStatus: 'processed'`.
 * `status: 'error'` means the *lookup* failed (see `reason`), not the transaction.
 */
export interface VenumTxStatus {
  readonly signature: string
  /** `not_found`, `failed` (on-chain error), `confirmed`, `finalized`, or `error` (the lookup failed). */
  readonly status: 'not_found' | 'failed' | 'confirmed' | 'finalized' | 'error' | (string & {})
  /** Solana's commitment: `processed`, `confirmed`, `finalized` or `unknown`. */
  readonly confirmationStatus?: 'processed' | 'confirmed' | 'finalized' | 'unknown' | (string & {})
  readonly slot?: number
  readonly confirmations?: number | null
  /** The on-chain error of a failed transaction. */
  readonly error?: unknown
  /** Why a lookup failed (`status: 'error'`). */
  readonly reason?: string
  /** Fee in lamports. */
  readonly fee?: number
  readonly computeUnits?: number
  /** The neutral tier this answer shows (`unknown` for `not_found` and `error`). */
  readonly tier: FinalityTier
  /** `success`, `failure` (status `failed`, or an error on the body), or `unknown`. */
  readonly outcome: Outcome
}

/** A `/v1/tx` answer as far as chainstream reads it; anything else in it is kept as sent. */
interface TxBody {
  readonly signature?: string
  readonly status: string
  readonly confirmationStatus?: string | null
  readonly slot?: number | null
  readonly confirmations?: number | null
  readonly error?: unknown
  readonly err?: unknown
  readonly reason?: string | null
  readonly fee?: number | null
  readonly computeUnits?: number | null
}

const OPTIONAL_FIELDS = {
  confirmationStatus: 'string',
  reason: 'string',
  slot: 'number',
  confirmations: 'number',
  fee: 'number',
  computeUnits: 'number',
} as const

/**
 * Lenient: checks only what chainstream reads (a string `status`; the other fields it reads absent, null
 * or of their type) and keeps everything else as sent. Answers what is wrong, or undefined. A plain check
 * rather than a schema: an object schema of the validation library would be shipped for this alone.
 */
function txBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'is not an object'
  const fields = body as Record<string, unknown>
  if (typeof fields.status !== 'string') return 'has no string "status"'
  if (fields.signature !== undefined && typeof fields.signature !== 'string') {
    return 'has a "signature" that is not a string'
  }
  for (const [name, type] of Object.entries(OPTIONAL_FIELDS)) {
    const value = fields[name]
    if (value != null && (typeof value !== type || Number.isNaN(value))) {
      return `has a "${name}" that is not a ${type}`
    }
  }
  return undefined
}

export function parseTxStatus(body: unknown, signature: string): VenumTxStatus {
  const problem = txBodyProblem(body)
  if (problem !== undefined) {
    throw new ChainstreamError(
      'ProtocolError',
      `Venum's /v1/tx answer for ${signature} ${problem}: ${JSON.stringify(body)?.slice(0, 200)}`,
      { body, isRetryable: false },
    )
  }
  const data = body as TxBody
  const observation = observationFromVenumRest(data, { at: 0 })
  let tier: FinalityTier = 'unknown'
  let outcome: Outcome = 'unknown'
  if (observation.kind === 'tier') {
    tier = observation.tier
    outcome = observation.outcome ?? 'unknown'
  } else if (observation.kind === 'failed') {
    tier = observation.tier ?? 'unknown'
    outcome = 'failure'
  }
  const error = data.error ?? data.err
  return {
    // The asked-for string when Venum echoes it: the parsed copy would be a second string of the same
    // signature, held as long as the answer is (a route's history keeps its snapshot for late joiners).
    signature: data.signature === undefined || data.signature === signature ? signature : data.signature,
    status: data.status,
    ...(typeof data.confirmationStatus === 'string' ? { confirmationStatus: data.confirmationStatus } : {}),
    ...(typeof data.slot === 'number' ? { slot: data.slot } : {}),
    ...(data.confirmations !== undefined ? { confirmations: data.confirmations } : {}),
    ...(error !== undefined && error !== null ? { error } : {}),
    ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
    ...(typeof data.fee === 'number' ? { fee: data.fee } : {}),
    ...(typeof data.computeUnits === 'number' ? { computeUnits: data.computeUnits } : {}),
    tier,
    outcome,
  }
}

/**
 * `GET /v1/tx/:signature`: typed errors, and retries of 429/502/503/504 (and dropped connections) with
 * jittered backoff that honours `Retry-After`; 400/401/403/404 are never retried. Callers run it through
 * the client's {@link RequestLimiter}.
 */
export async function fetchTxStatus(
  config: VenumConfig,
  signature: string,
  signal?: AbortSignal,
): Promise<VenumTxStatus> {
  const url = txUrl(config, signature)
  const response = await requestJson(url, {
    headers: { ...config.headers },
    noRetryStatuses: [400, 401, 403, 404],
    retry: { maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 5_000 },
    random: config.random,
    ...(signal ? { signal } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  })
  try {
    return parseTxStatus(response.data, signature)
  } catch (error) {
    config.logger.debug('unexpected /v1/tx answer', { url: redactUrl(url) })
    throw error
  }
}
