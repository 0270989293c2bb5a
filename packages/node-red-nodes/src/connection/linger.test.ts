import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Linger } from './linger.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Linger', () => {
  it('closes a released consumer after the linger, and everything at once on flush', async () => {
    const linger = new Linger(2_000)
    const closed: string[] = []
    const close = (name: string) => () => {
      closed.push(name)
      return Promise.resolve()
    }
    linger.hold(close('a'))
    vi.advanceTimersByTime(1_000)
    linger.hold(close('b'))
    expect(linger.size).toBe(2)
    vi.advanceTimersByTime(1_000)
    expect(closed).toEqual(['a'])
    linger.hold(() => Promise.reject(new Error('already gone')))
    await linger.flush()
    expect(closed).toEqual(['a', 'b'])
    expect(linger.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
