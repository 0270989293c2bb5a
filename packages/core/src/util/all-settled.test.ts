import { describe, expect, it } from 'vitest'
import { allSettled } from './all-settled.js'

describe('allSettled', () => {
  it('rejects with the first failure only once every promise has settled', async () => {
    const order: string[] = []
    const slow = new Promise<void>((resolve) =>
      setTimeout(() => {
        order.push('slow settled')
        resolve()
      }, 50),
    )
    const failing = Promise.reject(new Error('first'))
    const later = new Promise<void>((_, reject) => setTimeout(() => reject(new Error('second')), 10))
    await expect(allSettled([slow, failing, later])).rejects.toThrow('first')
    order.push('rejected')
    expect(order).toEqual(['slow settled', 'rejected'])
  })

  it('resolves when all resolve', async () => {
    await expect(allSettled([Promise.resolve(1), Promise.resolve(2)])).resolves.toBeUndefined()
  })
})
