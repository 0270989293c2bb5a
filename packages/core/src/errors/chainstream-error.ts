import type { ChainstreamErrorCode } from './error-codes.js'
import { redactText, redactValue } from './redact.js'

const MARKER = Symbol.for('chainstream.error')

/** Everything a {@link ChainstreamError} can carry besides its code and message. */
export interface ChainstreamErrorOptions {
  /** Whether retrying (reconnecting, re-requesting) may succeed. Defaults per code: true for `RateLimited`, `ConnectionLimit`, `ConnectionClosed`, `EventTooLarge` and the time-outs, and for `HttpError` with a 5xx or 408 status (or none). */
  isRetryable?: boolean
  /** The HTTP status, when the error came from an HTTP response. */
  status?: number
  /** The response body: parsed JSON when it was JSON, else the text. Secrets are redacted. */
  body?: unknown
  /** How long the server asked to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number
  /** How many connection attempts were made (set on `ConnectionLost` and `ConnectionLimit`). */
  attempts?: number
  /** The underlying error. */
  cause?: unknown
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ChainstreamErrorCode> = new Set<ChainstreamErrorCode>([
  'RateLimited',
  'ConnectionLimit',
  'ConnectionClosed',
  'HeartbeatTimeout',
  'PongTimeout',
  'OpenTimeout',
  'SubscribeTimeout',
  'RequestTimeout',
  'EventTooLarge',
])

/** Whether errors with this code are retryable when nothing more specific is known. */
export function defaultRetryable(code: ChainstreamErrorCode, status?: number): boolean {
  if (code === 'HttpError') return status === undefined || status >= 500 || status === 408
  return RETRYABLE_BY_DEFAULT.has(code)
}

/**
 * The one error type chainstream throws and emits. Check it with {@link isChainstreamError} (a marker
 * check that works across duplicate copies of the package), and branch on {@link ChainstreamError.code}.
 * Messages say what to fix; secrets never appear in them.
 *
 * @example
 * ```ts
 * try { await stream.waitSubscribed({ timeoutMs: 10_000 }) }
 * catch (err) {
 *   if (isChainstreamError(err, 'Unauthorized')) console.error('check TONCENTER_API_KEY')
 * }
 * ```
 */
export class ChainstreamError extends Error {
  override readonly name = 'ChainstreamError'
  /** Stable machine-readable code. */
  readonly code: ChainstreamErrorCode
  /** Whether retrying may succeed. */
  readonly isRetryable: boolean
  /** HTTP status, when there was a response. */
  readonly status?: number
  /** Response body (parsed JSON when it was JSON), with secrets redacted. */
  readonly body?: unknown
  /** Server-requested delay before retrying, in milliseconds. */
  readonly retryAfterMs?: number
  /** Connection attempts made, where it matters. */
  readonly attempts?: number

  constructor(code: ChainstreamErrorCode, message: string, options: ChainstreamErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.isRetryable = options.isRetryable ?? defaultRetryable(code, options.status)
    if (options.status !== undefined) this.status = options.status
    if (options.body !== undefined) this.body = redactValue(options.body)
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs
    if (options.attempts !== undefined) this.attempts = options.attempts
    Object.defineProperty(this, MARKER, { value: true, enumerable: false })
  }

  /** A copy with some options changed (used to re-classify an error without losing its cause). */
  with(
    options: ChainstreamErrorOptions & { code?: ChainstreamErrorCode; message?: string },
  ): ChainstreamError {
    const { code = this.code, message = this.message, ...changes } = options
    // This error's options (toJSON lists them; the constructor reads only those), then each change given.
    const merged: Record<string, unknown> = { ...this.toJSON(), cause: this.cause }
    for (const [key, value] of Object.entries(changes)) if (value != null) merged[key] = value
    return new ChainstreamError(code, message, merged)
  }

  /** A plain object for logs and JSON (no stack, secrets already removed). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      isRetryable: this.isRetryable,
      status: this.status,
      body: this.body,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
    }
  }
}

/**
 * True when `error` is a chainstream error (from any copy of the package), optionally with `code`.
 */
export function isChainstreamError<C extends ChainstreamErrorCode>(
  error: unknown,
  code?: C,
): error is ChainstreamError & { code: C } {
  if (typeof error !== 'object' || error === null) return false
  if ((error as Record<symbol, unknown>)[MARKER] !== true) return false
  return code === undefined || (error as ChainstreamError).code === code
}

/** Wraps anything thrown into a {@link ChainstreamError} (returns chainstream errors unchanged). */
export function toChainstreamError(
  error: unknown,
  fallbackCode: ChainstreamErrorCode = 'ConnectionClosed',
): ChainstreamError {
  if (isChainstreamError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ChainstreamError(fallbackCode, message, { cause: error })
}

/** The error an aborted operation rejects with; carries the signal's reason as `cause`. */
export function abortError(signal?: AbortSignal, what = 'the operation'): ChainstreamError {
  return new ChainstreamError('Aborted', `${what} was aborted`, { cause: signal?.reason, isRetryable: false })
}
