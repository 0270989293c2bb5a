import { createSseServer, type SseServer } from '@chainstream/testkit'
import { fetch as undiciFetch } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FetchLike } from '../sse/sse-transport-types.js'
import { requestJson } from './request-json.js'

describe('requestJson', () => {
  let server: SseServer
  beforeEach(async () => {
    server = await createSseServer()
  })
  afterEach(async () => {
    await server.close()
  })

  it('sends repeated query parameters and headers, and parses the JSON answer', async () => {
    server.handle((conn) => conn.respond(200, { transactions: [{ lt: '1' }] }))
    const response = await requestJson<{ transactions: { lt: string }[] }>(
      `${server.url}/api/v3/transactions`,
      {
        query: { account: ['0:AA', '0:BB'], limit: 2, sort: 'asc', skipped: undefined },
        headers: { 'X-API-Key': 'k' },
      },
    )
    expect(response.data.transactions[0]?.lt).toBe('1')
    expect(server.requests[0]?.url).toBe(
      '/api/v3/transactions?account=0%3AAA&account=0%3ABB&limit=2&sort=asc',
    )
    expect(server.requests[0]?.headers['x-api-key']).toBe('k')
  })

  it('retries 503 and 429 (honouring Retry-After) and then succeeds', async () => {
    server.handleNext((conn) => conn.respond(503, { error: 'busy' }))
    server.handleNext((conn) => conn.respond(429, { error: 'slow down' }, { 'Retry-After': '0.2' }))
    server.handle((conn) => conn.respond(200, { ok: true }))
    const response = await requestJson(server.url, { retry: { initialDelayMs: 1, maxDelayMs: 5 } })
    expect(response.data).toEqual({ ok: true })
    expect(server.requests).toHaveLength(3)
    expect(server.requests[2]!.at - server.requests[1]!.at).toBeGreaterThanOrEqual(190)
  })

  it('does not retry a 401 and says what to fix', async () => {
    server.handle((conn) => conn.respond(401, { error: 'API key does not exist' }))
    await expect(requestJson(server.url)).rejects.toMatchObject({
      code: 'Unauthorized',
      status: 401,
      message: expect.stringContaining('check the API key'),
    })
    expect(server.requests).toHaveLength(1)
  })

  it('gives up after maxAttempts retries with the last typed error', async () => {
    server.handle((conn) => conn.respond(502, 'bad gateway'))
    await expect(
      requestJson(server.url, { retry: { maxAttempts: 2, initialDelayMs: 1 } }),
    ).rejects.toMatchObject({
      code: 'HttpError',
      status: 502,
    })
    expect(server.requests).toHaveLength(3)
  })

  it('times out an attempt that gets no answer', async () => {
    server.handle(() => {}) // never answers
    await expect(requestJson(server.url, { timeoutMs: 100, retry: false })).rejects.toMatchObject({
      code: 'RequestTimeout',
    })
  })

  it('rejects with Aborted, never resolving, when the signal fires', async () => {
    server.handle(() => {})
    const controller = new AbortController()
    const pending = requestJson(server.url, { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    await expect(pending).rejects.toMatchObject({ code: 'Aborted' })
  })

  it('keeps the API key out of error messages', async () => {
    const key = 'venum-key-abcdef123456'
    server.handle((conn) => conn.respond(403, { error: 'forbidden' }))
    const error = await requestJson(`${server.url}/v1/tx/abc?apiKey=${key}`).catch((e: Error) => e)
    expect(String((error as Error).message)).not.toContain(key)
    expect(JSON.stringify(error)).not.toContain(key)
  })

  it('works with a custom fetch', async () => {
    server.handle((conn) => conn.respond(200, { via: 'fetch' }))
    const response = await requestJson(server.url, { fetch: undiciFetch as unknown as FetchLike })
    expect(response.data).toEqual({ via: 'fetch' })
  })
})
