import { ChainstreamError, type ChainstreamErrorCode } from '@chainstream/core'
import { httpError } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import { fixtureJson } from '../fixtures.test-helper.js'
import { classifyTonError, classifyWsErrorFrame, connectionLimitOf } from './classify-error.js'

const options = { provider: 'TON Center' }
const classify = (status: number, body: unknown, retryAfterMs?: number) =>
  classifyTonError(httpError({ status, body, retryAfterMs }), options)

describe('classifyTonError', () => {
  it('classifies every captured SSE error body', () => {
    const expected: [ChainstreamErrorCode, boolean][] = [
      ['InvalidSubscription', false],
      ['InvalidSubscription', false],
      ['InvalidSubscription', false],
      ['InvalidSubscription', false],
      ['ConnectionLimit', true],
      ['Unauthorized', false],
      ['RateLimited', true],
    ]
    const fixtures = fixtureJson<{ status: number; body: unknown }[]>('sse-errors.json')
    expect(fixtures).toHaveLength(expected.length)
    fixtures.forEach(({ status, body }, index) => {
      const error = classify(status, body)
      expect([error.code, error.isRetryable], JSON.stringify(body)).toEqual(expected[index])
      expect(error.status).toBe(status)
      expect(error.body).toEqual(body)
    })
  })

  it('puts the server message into InvalidSubscription errors, for every documented 400 body', () => {
    for (const text of [
      'invalid subscription request: unexpected EOF',
      'types are required for subscription',
      'invalid event type: trace_invalidated',
      'invalid address: not-an-address',
      'addresses are required for subscription',
      'too many addresses: 1200 > max 1000',
      'trace_external_hash_norms requires type "trace"',
    ]) {
      const error = classify(400, { error: text, id: 'req-1' })
      expect(error.code).toBe('InvalidSubscription')
      expect(error.isRetryable).toBe(false)
      expect(error.message).toBe(`TON Center rejected the subscription: ${text}`)
    }
  })

  it('tells the connection limit apart from the gateway rate limit on 429', () => {
    const limit = classify(429, { error: 'connection limit reached: 2 active connections' })
    expect(limit.code).toBe('ConnectionLimit')
    expect(limit.isRetryable).toBe(true)
    expect(limit.message).toContain('the key allows 2')
    expect(classify(429, { error: 'connection limit reached: 0 active connections' }).code).toBe(
      'ConnectionLimit',
    )
    for (const body of [
      { error: 'Ratelimit exceeded' },
      { ok: false, result: 'Ratelimit exceed', code: 429 },
      { ok: false, result: 'Ratelimit exceeded', code: 429 },
      undefined,
    ]) {
      const error = classify(429, body, 1500)
      expect(error.code).toBe('RateLimited')
      expect(error.isRetryable).toBe(true)
      expect(error.retryAfterMs).toBe(1500)
    }
  })

  it('makes 401 and 403 fatal with the gateway message', () => {
    const unauthorized = classify(401, { error: 'API key does not exist' })
    expect([unauthorized.code, unauthorized.isRetryable]).toEqual(['Unauthorized', false])
    expect(unauthorized.message).toContain('API key does not exist')
    const forbidden = classify(403, { error: 'Network not allowed' })
    expect([forbidden.code, forbidden.isRetryable]).toEqual(['Forbidden', false])
    expect(forbidden.message).toContain('Network not allowed')
  })

  it('keeps 5xx retryable and leaves errors without a status alone', () => {
    for (const status of [500, 502, 503, 504]) expect(classify(status, 'Bad Gateway').isRetryable).toBe(true)
    const drop = new ChainstreamError('ConnectionClosed', 'socket hang up')
    expect(classifyTonError(drop, options)).toBe(drop)
    expect(classify(404, { error: 'not found' }).isRetryable).toBe(false)
  })

  it('reads the limit out of the message', () => {
    expect(connectionLimitOf('connection limit reached: 10 active connections')).toBe(10)
    expect(connectionLimitOf('connection limit reached')).toBeUndefined()
  })
})

describe('classifyWsErrorFrame', () => {
  it('maps the id-less limit error sent after the upgrade to ConnectionLimit', () => {
    const error = classifyWsErrorFrame('connection limit reached: 2 active connections', 'stream', options)
    expect([error.code, error.isRetryable]).toEqual(['ConnectionLimit', true])
  })

  it('maps every documented request error to InvalidSubscription or ProtocolError', () => {
    for (const text of [
      'types are required',
      'invalid event type: trace_invalidated',
      'invalid address: x',
      'addresses are required',
      'trace_external_hash_norms requires type "trace"',
      'address limit exceeded: current 990 + new 20 > max 1000',
    ]) {
      const error = classifyWsErrorFrame(text, 'subscribe', options)
      expect([error.code, error.isRetryable], text).toEqual(['InvalidSubscription', false])
      expect(error.message).toBe(`TON Center rejected the subscription: ${text}`)
    }
    expect(
      classifyWsErrorFrame('addresses or trace_external_hash_norms are required', 'unsubscribe', options)
        .message,
    ).toBe('TON Center rejected the unsubscribe request: addresses or trace_external_hash_norms are required')
    for (const text of [
      'unknown operation: hello',
      'invalid request envelope: json: cannot unmarshal number',
    ]) {
      expect(classifyWsErrorFrame(text, 'subscribe', options).code).toBe('ProtocolError')
    }
    const unsolicited = classifyWsErrorFrame('internal error', 'stream', options)
    expect([unsolicited.code, unsolicited.isRetryable]).toEqual(['ServerError', true])
  })
})
