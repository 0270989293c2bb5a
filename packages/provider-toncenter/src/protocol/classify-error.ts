import { ChainstreamError } from '@chainstream/core'
import { bodyMessage } from '@chainstream/core/provider'

/**
 * How errors of TON Streaming v2 map onto chainstream codes. The HTTP status alone is not enough: a 429
 * means either the plan's parallel-connection limit (`connection limit reached: N active connections`) or
 * the gateway's request rate limit (`Ratelimit exceed(ed)`), and they call for different handling.
 */

const CONNECTION_LIMIT_RE = /connection limit reached(?::\s*(\d+))?/i

/** Whether a server error text is the connection-limit error. */
export function isConnectionLimitMessage(text: string | undefined): boolean {
  return text !== undefined && CONNECTION_LIMIT_RE.test(text)
}

/** The connection limit N of `connection limit reached: N active connections`, when present. */
export function connectionLimitOf(text: string): number | undefined {
  const match = CONNECTION_LIMIT_RE.exec(text)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/** Options of {@link classifyTonError}. */
export interface ClassifyOptions {
  /** Provider name for messages (`'TON Center'`, `'TonAPI'`). */
  provider: string
}

function connectionLimit(
  provider: string,
  serverSays: string,
  extra: { status?: number; body?: unknown; cause?: unknown },
) {
  const limit = connectionLimitOf(serverSays)
  const plan = limit === undefined ? '' : ` (the key allows ${limit})`
  return new ChainstreamError(
    'ConnectionLimit',
    `${provider}: ${serverSays} — too many parallel streaming connections for this API key${plan}. A dropped session is held for about a minute; close other streams, wait, or pass several keys to rotate`,
    { isRetryable: true, ...extra },
  )
}

/**
 * Re-classifies an error from an SSE response or a WebSocket upgrade by status and body:
 * - 400 → `InvalidSubscription` (fatal) carrying the server's message;
 * - 401 → `Unauthorized`, 403 → `Forbidden` (fatal);
 * - 429 `connection limit reached` → `ConnectionLimit` (retryable; key rotation and bounded retry decide);
 * - other 429 (`Ratelimit exceed(ed)`, the gateway's `{ok:false,result,code:429}`) → `RateLimited` (retryable);
 * - 5xx → retryable `HttpError`; other statuses keep their classification.
 * Errors without a status (drops, timeouts) are returned unchanged.
 *
 * @example
 * ```ts
 * classifyTonError(httpError({ status: 400, body: { error: 'invalid address: x' } }), { provider: 'TON Center' }).code
 * // 'InvalidSubscription'
 * ```
 */
export function classifyTonError(error: ChainstreamError, options: ClassifyOptions): ChainstreamError {
  const { status, body } = error
  if (status === undefined) return error
  const serverSays = bodyMessage(body) ?? ''
  const extra = {
    status,
    body,
    cause: error,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  }
  if (status === 400) {
    return new ChainstreamError(
      'InvalidSubscription',
      `${options.provider} rejected the subscription: ${serverSays || 'HTTP 400 without a message'}`,
      { ...extra, isRetryable: false },
    )
  }
  if (status === 401) {
    return new ChainstreamError(
      'Unauthorized',
      `${options.provider}: ${serverSays || 'HTTP 401'} — check the API key`,
      { ...extra, isRetryable: false },
    )
  }
  if (status === 403) {
    return new ChainstreamError(
      'Forbidden',
      `${options.provider}: ${serverSays || 'HTTP 403'} — the key is not allowed here (plan or network)`,
      { ...extra, isRetryable: false },
    )
  }
  if (status === 429) {
    if (isConnectionLimitMessage(serverSays)) return connectionLimit(options.provider, serverSays, extra)
    return new ChainstreamError(
      'RateLimited',
      `${options.provider}: ${serverSays || 'HTTP 429'} — request rate limit; retrying with backoff`,
      { ...extra, isRetryable: true },
    )
  }
  if (status >= 500) {
    return error.isRetryable ? error : error.with({ isRetryable: true })
  }
  return error
}

/** Which request an error frame of an open WebSocket answered. */
export type WsErrorContext = 'subscribe' | 'unsubscribe' | 'ping' | 'stream'

/**
 * The typed error for an `{"error": …}` frame on an open WebSocket: the connection limit (sent without an
 * id right after the upgrade, then the socket closes) → `ConnectionLimit`; rejected requests
 * (`invalid address: X`, `types are required`, `address limit exceeded: …`, …) → `InvalidSubscription`;
 * `unknown operation` / `invalid request envelope` → `ProtocolError` (a client bug).
 */
export function classifyWsErrorFrame(
  text: string,
  context: WsErrorContext,
  options: ClassifyOptions,
): ChainstreamError {
  const body = { error: text }
  if (isConnectionLimitMessage(text)) return connectionLimit(options.provider, text, { body })
  if (/^(unknown operation|invalid request envelope)/i.test(text)) {
    return new ChainstreamError(
      'ProtocolError',
      `${options.provider} did not understand a ${context} request: ${text}`,
      {
        body,
        isRetryable: false,
      },
    )
  }
  if (context === 'stream') {
    // An error nobody asked for, other than the connection limit: not documented; reconnecting is the
    // safe reading (a fatal guess would end the user's stream on a server hiccup).
    return new ChainstreamError('ServerError', `${options.provider} reported an error: ${text}`, {
      body,
      isRetryable: true,
    })
  }
  const what = context === 'unsubscribe' ? 'the unsubscribe request' : 'the subscription'
  return new ChainstreamError('InvalidSubscription', `${options.provider} rejected ${what}: ${text}`, {
    body,
    isRetryable: false,
  })
}
