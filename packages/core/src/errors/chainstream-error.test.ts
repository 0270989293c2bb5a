import { describe, expect, it } from 'vitest'
import { ChainstreamError, isChainstreamError, toChainstreamError } from './chainstream-error.js'
import { httpError, parseBody, parseRetryAfter } from './http-error.js'

describe('ChainstreamError', () => {
  it('carries a stable code, retryability, status, body, Retry-After and cause', () => {
    const cause = new Error('socket hang up')
    const error = new ChainstreamError('RateLimited', 'slow down', {
      status: 429,
      body: { error: 'Ratelimit exceeded' },
      retryAfterMs: 2_000,
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('RateLimited')
    expect(error.isRetryable).toBe(true)
    expect(error.status).toBe(429)
    expect(error.body).toEqual({ error: 'Ratelimit exceeded' })
    expect(error.retryAfterMs).toBe(2_000)
    expect(error.cause).toBe(cause)
  })

  it('defaults retryability per code and status', () => {
    expect(new ChainstreamError('Unauthorized', 'x').isRetryable).toBe(false)
    expect(new ChainstreamError('HeartbeatTimeout', 'x').isRetryable).toBe(true)
    expect(new ChainstreamError('HttpError', 'x', { status: 503 }).isRetryable).toBe(true)
    expect(new ChainstreamError('HttpError', 'x', { status: 404 }).isRetryable).toBe(false)
  })

  it('is recognised by the marker guard, also when made by another copy of the module', async () => {
    // A query string makes the bundler load a second, independent instance of the module: the same
    // situation as two installed copies of @chainstream/core.
    const copy = (await import(
      // @ts-expect-error -- TypeScript does not know module specifiers with a query string
      './chainstream-error.js?second-copy'
    )) as typeof import('./chainstream-error.js')
    const foreign = new copy.ChainstreamError('Forbidden', 'nope')
    expect(copy.ChainstreamError).not.toBe(ChainstreamError)
    expect(foreign instanceof ChainstreamError).toBe(false)
    expect(isChainstreamError(foreign)).toBe(true)
    expect(isChainstreamError(foreign, 'Forbidden')).toBe(true)
    expect(isChainstreamError(foreign, 'Unauthorized')).toBe(false)
    expect(isChainstreamError(new Error('plain'))).toBe(false)
    expect(isChainstreamError({ code: 'Forbidden' })).toBe(false)
  })

  it('wraps foreign errors and keeps chainstream errors as they are', () => {
    const original = new ChainstreamError('Closed', 'closed')
    expect(toChainstreamError(original)).toBe(original)
    const wrapped = toChainstreamError(new TypeError('boom'))
    expect(wrapped.code).toBe('ConnectionClosed')
    expect(wrapped.cause).toBeInstanceOf(TypeError)
  })

  it('re-classifies with with() without losing the cause', () => {
    const cause = new Error('root')
    const error = new ChainstreamError('RateLimited', 'limit', { status: 429, cause })
    const reclassified = error.with({ code: 'ConnectionLimit', isRetryable: false, attempts: 3 })
    expect(reclassified.code).toBe('ConnectionLimit')
    expect(reclassified.isRetryable).toBe(false)
    expect(reclassified.status).toBe(429)
    expect(reclassified.attempts).toBe(3)
    expect(reclassified.cause).toBe(cause)
  })

  it('with() keeps what it is not given (undefined counts as not given) and takes what it is', () => {
    const error = new ChainstreamError('HttpError', 'HTTP 503', {
      status: 503,
      body: { error: 'busy' },
      retryAfterMs: 2_000,
      attempts: 2,
    })
    // As JavaScript callers may pass them: explicit undefineds (the types forbid them).
    const unset = { message: undefined, status: undefined, body: undefined, cause: undefined }
    const same = error.with(unset as unknown as Parameters<typeof error.with>[0])
    expect(same.toJSON()).toEqual(error.toJSON())
    expect(same.cause).toBeUndefined()
    const changed = error.with({ message: 'busy, retrying', retryAfterMs: 5_000, body: 'other' })
    expect(changed.toJSON()).toEqual({
      ...error.toJSON(),
      message: 'busy, retrying',
      retryAfterMs: 5_000,
      body: 'other',
    })
    expect(changed).toBeInstanceOf(ChainstreamError)
    expect(isChainstreamError(changed, 'HttpError')).toBe(true)
  })
})

describe('httpError', () => {
  it('maps statuses to codes and puts the server message and a hint in the message', () => {
    const unauthorized = httpError({ status: 401, body: { error: 'API key does not exist' } })
    expect(unauthorized.code).toBe('Unauthorized')
    expect(unauthorized.isRetryable).toBe(false)
    expect(unauthorized.message).toBe('HTTP 401: API key does not exist — check the API key')
    expect(httpError({ status: 403, body: undefined }).code).toBe('Forbidden')
    const limited = httpError({
      status: 429,
      body: { ok: false, result: 'Ratelimit exceed', code: 429 },
      retryAfterMs: 1000,
    })
    expect(limited.code).toBe('RateLimited')
    expect(limited.retryAfterMs).toBe(1000)
    expect(limited.message).toContain('Ratelimit exceed')
    const server = httpError({ status: 502, body: 'Bad Gateway' })
    expect(server.code).toBe('HttpError')
    expect(server.isRetryable).toBe(true)
  })

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3_000)
    expect(parseRetryAfter('1.5')).toBe(1_500)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })

  it('parses JSON bodies and keeps other text', () => {
    expect(parseBody('{"error":"x"}', 'application/json')).toEqual({ error: 'x' })
    expect(parseBody('{"error":"x"}', null)).toEqual({ error: 'x' })
    expect(parseBody('<html>oops</html>', 'text/html')).toBe('<html>oops</html>')
    expect(parseBody('{broken', 'application/json')).toBe('{broken')
    expect(parseBody('', 'application/json')).toBeUndefined()
  })
})
