import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isChainstreamError } from '../errors/chainstream-error.js'
import { backoffCeiling, backoffDelay, DEFAULT_RECONNECT_POLICY, resolveReconnectPolicy } from './backoff.js'

describe('backoff', () => {
  const policy = resolveReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 5_000, factor: 2 })

  it('grows the jitter window exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(policy, n))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ])
  })

  it('keeps every delay inside its full-jitter bounds [0, ceiling]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const delay = backoffDelay(policy, n, undefined, () => r)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThanOrEqual(backoffCeiling(policy, n))
        },
      ),
    )
  })

  it('spreads delays out (jitter) rather than repeating one value', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 6)))
    expect(delays.size).toBeGreaterThan(10)
  })

  it('never waits less than the server asked with Retry-After', () => {
    expect(backoffDelay(policy, 1, 7_000, () => 0.5)).toBe(7_000)
    expect(backoffDelay(policy, 7, 10, () => 0.5)).toBe(2_500)
  })

  it('defaults to unlimited attempts and accepts Infinity explicitly', () => {
    expect(resolveReconnectPolicy(undefined)).toEqual(DEFAULT_RECONNECT_POLICY)
    expect(resolveReconnectPolicy({ maxAttempts: Number.POSITIVE_INFINITY }).maxAttempts).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('rejects a bad policy with an InvalidArgument error naming the field', () => {
    let caught: unknown
    try {
      resolveReconnectPolicy({ factor: 0.5 })
    } catch (error) {
      caught = error
    }
    expect(isChainstreamError(caught, 'InvalidArgument')).toBe(true)
    expect((caught as Error).message).toMatch(/reconnect policy: factor/)
    expect(() => resolveReconnectPolicy({ maxDelay: 3 } as never)).toThrow(/maxDelay/)
  })

  it('caps an absurd Retry-After at maxRetryAfterMs instead of overflowing the timer', () => {
    const policy = resolveReconnectPolicy({ initialDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 60_000 })
    expect(backoffDelay(policy, 1, 1_000_000_000_000, () => 0.5)).toBe(60_000)
    expect(backoffDelay(policy, 1, Number.POSITIVE_INFINITY, () => 0.5)).toBe(60_000)
    expect(backoffDelay(policy, 1, 30_000, () => 0.5)).toBe(30_000)
    expect(backoffDelay(resolveReconnectPolicy({}), 1, 1e15, () => 0)).toBe(600_000)
    expect(() => resolveReconnectPolicy({ maxRetryAfterMs: 2 ** 31 })).toThrow(/maxRetryAfterMs/)
  })
})
