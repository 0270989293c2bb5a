import type { ChainstreamError } from '@chainstream/core'
import { bodyMessage } from '@chainstream/core/provider'

/**
 * How a failed `/v1/stream/tx` attempt ends: 400 and 401/403 are fatal and say what to fix; 429 (the
 * plan's SSE connection limit) is retried no sooner than `Retry-After`; 503 (commitment-tier polling
 * unavailable) is retried no sooner than `unavailableRetryMs` while the watch polls REST. Anything else
 * keeps its own retryability.
 */
export function classifyStreamError(error: ChainstreamError, unavailableRetryMs: number): ChainstreamError {
  const serverSays = bodyMessage(error.body)
  const said = serverSays ? ` (Venum says: ${serverSays})` : ''
  switch (error.status) {
    case 400:
      return error.with({
        code: 'InvalidSubscription',
        isRetryable: false,
        message:
          `Venum rejected the stream request with HTTP 400${said}. chainstream checks every signature ` +
          '(base58, 64 bytes) and sends at most 10 per stream, so check the `events` names ' +
          `('landed', 'processed', 'confirmed', 'finalized') and the baseUrl.`,
      })
    case 401:
      return error.with({
        isRetryable: false,
        message: `Venum refused the API key with HTTP 401${said}: check the apiKey option (a missing, mistyped or revoked key).`,
      })
    case 403:
      return error.with({
        isRetryable: false,
        message: `Venum answered HTTP 403${said}: the key's plan does not include transaction streams.`,
      })
    case 429:
      return error.with({
        code: 'ConnectionLimit',
        isRetryable: true,
        message:
          `Venum's SSE connection limit for this key is reached (HTTP 429)${said}; retrying after ` +
          `${error.retryAfterMs ?? 'a backoff'}${error.retryAfterMs !== undefined ? ' ms' : ''}. Lower maxStreams below your plan's limit.`,
      })
    case 503:
      return error.with({
        isRetryable: true,
        retryAfterMs: Math.max(error.retryAfterMs ?? 0, unavailableRetryMs),
        message: `Venum's commitment-tier polling is unavailable (HTTP 503)${said}; polling GET /v1/tx meanwhile and retrying the stream later.`,
      })
    default:
      return error
  }
}

/** Whether an error means "Venum cannot stream tiers right now" (the REST polling fallback applies). */
export const isTierPollingUnavailable = (error: ChainstreamError): boolean =>
  error.status === 503 && error.code !== 'ConnectionLimit'
