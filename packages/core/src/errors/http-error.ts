import { ChainstreamError } from './chainstream-error.js'
import type { ChainstreamErrorCode } from './error-codes.js'

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Parses a response body as JSON when it looks like JSON, else returns the text (or undefined when empty). */
export function parseBody(text: string, contentType?: string | null): unknown {
  if (text === '') return undefined
  const looksJson = contentType?.includes('json') || /^\s*[{[]/.test(text)
  if (!looksJson) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The server's own error text, from the common body shapes (`{error}`, `{message}`, `{result}`). */
export function bodyMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500)
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    for (const key of ['error', 'message', 'result', 'reason', 'detail']) {
      const v = b[key]
      if (typeof v === 'string' && v !== '') return v
    }
  }
  return undefined
}

const CODE_BY_STATUS: Record<number, ChainstreamErrorCode> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'RateLimited',
}

/**
 * The typed error for a non-success HTTP response. Providers may re-classify it (a 429 that means
 * "connection limit", a 400 that means "invalid subscription").
 */
export function httpError(input: {
  status: number
  body: unknown
  retryAfterMs?: number | undefined
  url?: string
}): ChainstreamError {
  const code = CODE_BY_STATUS[input.status] ?? 'HttpError'
  const serverSays = bodyMessage(input.body)
  const hint =
    input.status === 401
      ? ' — check the API key'
      : input.status === 403
        ? ' — the key is not allowed here (plan or network)'
        : ''
  const message = `HTTP ${input.status}${serverSays ? `: ${serverSays}` : ''}${hint}${input.url ? ` (${input.url})` : ''}`
  return new ChainstreamError(code, message, {
    status: input.status,
    body: input.body,
    ...(input.retryAfterMs !== undefined ? { retryAfterMs: input.retryAfterMs } : {}),
  })
}
