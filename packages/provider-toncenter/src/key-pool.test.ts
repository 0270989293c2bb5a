import { ChainstreamError } from '@chainstream/core'
import { redactText } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import { KeyPool } from './key-pool.js'

const limit = () =>
  new ChainstreamError('ConnectionLimit', 'connection limit reached: 2 active connections', {
    status: 429,
    body: { error: 'connection limit reached: 2 active connections' },
  })

describe('KeyPool', () => {
  it('rotates through several keys on ConnectionLimit', () => {
    const pool = new KeyPool({
      keys: ['key-one-111', 'key-two-222', 'key-three-333'],
      connectionLimitRetryMs: 60_000,
      provider: 'TON Center',
    })
    expect(pool.current).toBe('key-one-111')
    expect(pool.onConnectionLimit(limit()).isRetryable).toBe(true)
    expect(pool.current).toBe('key-two-222')
    pool.onConnectionLimit(limit())
    pool.onConnectionLimit(limit())
    expect(pool.current).toBe('key-one-111')
  })

  it('retries one key for a bounded time, then fails with ConnectionLimit and the attempts', () => {
    let now = 0
    const pool = new KeyPool({
      keys: ['only-key-123'],
      connectionLimitRetryMs: 60_000,
      provider: 'TON Center',
      now: () => now,
    })
    expect(pool.onConnectionLimit(limit()).isRetryable).toBe(true)
    now = 30_000
    expect(pool.onConnectionLimit(limit()).isRetryable).toBe(true)
    now = 61_000
    const final = pool.onConnectionLimit(limit())
    expect(final.code).toBe('ConnectionLimit')
    expect(final.isRetryable).toBe(false)
    expect(final.attempts).toBe(3)
    expect(final.message).toMatch(/for 61 s \(3 attempts\)/)
  })

  it('starts the time budget again after a successful connection', () => {
    let now = 0
    const pool = new KeyPool({
      keys: ['only-key-123'],
      connectionLimitRetryMs: 10_000,
      provider: 'TON Center',
      now: () => now,
    })
    pool.onConnectionLimit(limit())
    now = 9_000
    pool.succeeded()
    now = 15_000
    expect(pool.onConnectionLimit(limit()).isRetryable).toBe(true)
  })

  it('fails at once without a key, saying a key is required', () => {
    const pool = new KeyPool({ keys: [], connectionLimitRetryMs: 60_000, provider: 'TON Center' })
    const error = pool.onConnectionLimit(limit())
    expect(error.isRetryable).toBe(false)
    expect(error.message).toMatch(/requires an API key/)
  })

  it('registers every key as a secret', () => {
    new KeyPool({ keys: ['secret-key-abcdef'], connectionLimitRetryMs: 1, provider: 'TON Center' })
    expect(redactText('key secret-key-abcdef leaked')).not.toContain('secret-key-abcdef')
  })
})
