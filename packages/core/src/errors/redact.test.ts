import { describe, expect, it } from 'vitest'
import { ChainstreamError } from './chainstream-error.js'
import { httpError } from './http-error.js'
import { REDACTED, redactHeaders, redactText, redactUrl, redactValue, registerSecret } from './redact.js'

const KEY = 'sk_live_9f8e7d6c5b4a3210'

describe('secret redaction', () => {
  it('removes api_key, apiKey, token and access_token query values from URLs', () => {
    const url = redactUrl(`https://toncenter.com/api/streaming/v2/ws?api_key=${KEY}&x=1`)
    expect(url).not.toContain(KEY)
    expect(url).toContain(`api_key=${REDACTED}`)
    expect(url).toContain('x=1')
    for (const name of ['apiKey', 'token', 'access_token', 'API-KEY']) {
      expect(redactUrl(`https://h.example/p?${name}=${KEY}`)).not.toContain(KEY)
    }
  })

  it('removes passwords in URLs', () => {
    expect(redactUrl(`https://user:${KEY}@h.example/`)).not.toContain(KEY)
  })

  it('removes secrets from free text: query fragments and dumped headers', () => {
    for (const text of [
      `GET /v1/stream/tx?signatures=abc&apiKey=${KEY} failed`,
      `Authorization: Bearer ${KEY}`,
      `{"X-API-Key":"${KEY}"}`,
      `x-api-key=${KEY}`,
    ]) {
      expect(redactText(text)).not.toContain(KEY)
    }
  })

  it('redacts Authorization and X-API-Key header values', () => {
    const headers = redactHeaders({
      Authorization: `Bearer ${KEY}`,
      'X-API-Key': KEY,
      Accept: 'text/event-stream',
    })
    expect(JSON.stringify(headers)).not.toContain(KEY)
    expect(headers.Accept).toBe('text/event-stream')
  })

  it('scrubs a registered key wherever it appears, also in echoed bodies', () => {
    const key = 'k3y-that-a-server-echoes-123'
    registerSecret(key)
    expect(redactText(`unknown key ${key} for this network`)).toBe(`unknown key ${REDACTED} for this network`)
    expect(redactValue({ detail: [`key ${key}`] })).toEqual({ detail: [`key ${REDACTED}`] })
    const error = httpError({ status: 401, body: { error: `API key ${key} does not exist` } })
    expect(error.message).not.toContain(key)
    expect(JSON.stringify(error.body)).not.toContain(key)
  })

  it('keeps the punctuation after a registered key in a query value (a URL in parentheses stays closed)', () => {
    const key = 'query-key-in-parens-77'
    registerSecret(key)
    expect(redactText(`HTTP 503 (https://h.example/v3/traces?api_key=${key}).`)).toBe(
      `HTTP 503 (https://h.example/v3/traces?api_key=${REDACTED}).`,
    )
    expect(redactText(`(https://h.example/sse?token=unregistered-secret)`)).toBe(
      `(https://h.example/sse?token=${REDACTED}`,
    )
  })

  it('never lets a key through an error message', () => {
    const error = new ChainstreamError(
      'ConnectionClosed',
      `connect ECONNREFUSED https://h.example/sse?api_key=${KEY}`,
    )
    expect(error.message).not.toContain(KEY)
    expect(JSON.stringify(error)).not.toContain(KEY)
  })

  it('scrubs a registered key however short, the longer of two overlapping keys whole', () => {
    registerSecret('Zq1')
    registerSecret('Zq1-long-secret')
    expect(redactText('key Zq1 refused')).toBe(`key ${REDACTED} refused`)
    expect(redactText('key Zq1-long-secret refused')).toBe(`key ${REDACTED} refused`)
  })
})
