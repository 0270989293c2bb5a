import { ChainstreamError } from '@chainstream/core'
import { httpError } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import { classifyStreamError, isTierPollingUnavailable } from './classify-error.js'
import { decodeVenumEvent } from './decode-frame.js'

const message = (event: string, data: string) => ({ event, data, lastEventId: '' })

describe('classifyStreamError', () => {
  it('makes 400 a fatal InvalidSubscription that names what to check', () => {
    const error = classifyStreamError(httpError({ status: 400, body: { error: 'invalid event name: x' } }), 0)
    expect(error).toMatchObject({ code: 'InvalidSubscription', isRetryable: false, status: 400 })
    expect(error.message).toMatch(/invalid event name: x.*events/)
  })

  it('keeps 401 Unauthorized and fatal, pointing at the apiKey option', () => {
    const error = classifyStreamError(httpError({ status: 401, body: { error: 'invalid API key' } }), 0)
    expect(error).toMatchObject({ code: 'Unauthorized', isRetryable: false })
    expect(error.message).toMatch(/apiKey option/)
  })

  it('makes 429 a retryable ConnectionLimit that keeps Retry-After', () => {
    const error = classifyStreamError(httpError({ status: 429, body: undefined, retryAfterMs: 2_000 }), 0)
    expect(error).toMatchObject({ code: 'ConnectionLimit', isRetryable: true, retryAfterMs: 2_000 })
    expect(error.message).toMatch(/maxStreams/)
  })

  it('makes 503 retryable no sooner than unavailableRetryMs, and marks it for the polling fallback', () => {
    const error = classifyStreamError(
      httpError({ status: 503, body: { error: 'polling unavailable' } }),
      15_000,
    )
    expect(error).toMatchObject({ isRetryable: true, retryAfterMs: 15_000, status: 503 })
    expect(isTierPollingUnavailable(error)).toBe(true)
    expect(
      classifyStreamError(httpError({ status: 503, body: '', retryAfterMs: 60_000 }), 15_000).retryAfterMs,
    ).toBe(60_000)
  })

  it('leaves other errors alone', () => {
    const dropped = new ChainstreamError('ConnectionClosed', 'gone')
    expect(classifyStreamError(dropped, 0)).toBe(dropped)
  })
})

describe('decodeVenumEvent: the unexpected', () => {
  it('reports unknown event types and malformed payloads as diagnostics, never throws', () => {
    expect(decodeVenumEvent(message('slot', '{}'))).toMatchObject({
      kind: 'diagnostic',
      diagnostic: { code: 'unknown-event-type' },
    })
    expect(decodeVenumEvent(message('tx', '{not json'))).toMatchObject({
      kind: 'diagnostic',
      diagnostic: { code: 'malformed-event' },
    })
    expect(decodeVenumEvent(message('tx', '{"status":"confirmed"}'))).toMatchObject({
      kind: 'diagnostic',
      diagnostic: { code: 'malformed-event' },
    })
  })

  it('passes unknown statuses through (the lifecycle reports them), keeps err, ignores null err', () => {
    expect(decodeVenumEvent(message('tx', '{"signature":"s","status":"rooted","err":null}'))).toMatchObject({
      kind: 'event',
      event: { kind: 'tx', status: 'rooted' },
    })
    const failed = decodeVenumEvent(message('tx', '{"signature":"s","status":"failed","err":"boom"}'))
    expect(failed).toMatchObject({ event: { err: 'boom' } })
  })

  it('reads a per-signature error, and a stream-wide one as a retryable ServerError', () => {
    expect(decodeVenumEvent(message('error', '{"signature":"s","error":"e","reason":"r"}'))).toMatchObject({
      kind: 'event',
      event: { kind: 'signature-error', signature: 's', error: 'e', reason: 'r' },
    })
    expect(decodeVenumEvent(message('error', '{"error":"overloaded"}'))).toMatchObject({
      kind: 'error',
      error: { code: 'ServerError', isRetryable: true },
    })
  })

  it('takes heartbeat as liveness and ready as the subscription', () => {
    expect(decodeVenumEvent(message('heartbeat', '{"ts":1}'))).toEqual({ kind: 'heartbeat' })
    expect(decodeVenumEvent(message('ready', '{"ts":1,"signatures":[]}'))).toMatchObject({
      kind: 'subscribed',
    })
  })
})
