import { describe, expect, it } from 'vitest'
import { chunk, Limiter, parallel } from './v3-lookups.js'

describe('parallel', () => {
  it('after a failure starts nothing new and rejects only once the work in flight has settled', async () => {
    const events: string[] = []
    const work = async (item: number) => {
      events.push(`start ${item}`)
      if (item === 0) throw new Error('item 0 failed')
      await new Promise((resolve) => setTimeout(resolve, 50))
      events.push(`end ${item}`)
    }
    await expect(parallel([0, 1, 2, 3], 2, work)).rejects.toThrow('item 0 failed')
    events.push('rejected')
    expect(events).toEqual(['start 0', 'start 1', 'end 1', 'rejected'])
  })

  it('runs every item with at most `concurrency` in flight', async () => {
    let inFlight = 0
    let most = 0
    const done: number[] = []
    await parallel([1, 2, 3, 4, 5], 2, async (item) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      done.push(item)
    })
    expect(done.sort()).toEqual([1, 2, 3, 4, 5])
    expect(most).toBe(2)
  })

  it('with a shared Limiter, keeps every call together within its concurrency', async () => {
    let inFlight = 0
    let most = 0
    const work = async () => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
    }
    const limiter = new Limiter(3)
    await Promise.all([parallel([1, 2, 3, 4], limiter, work), parallel([5, 6, 7, 8], limiter, work)])
    expect(most).toBe(3)
  })

  it('with a shared Limiter, an item still waiting for a slot when another failed never starts', async () => {
    const started: number[] = []
    const limiter = new Limiter(2)
    const slow = limiter.run(() => new Promise((resolve) => setTimeout(resolve, 30)))
    const work = async (item: number) => {
      started.push(item)
      if (item === 0) throw new Error('item 0 failed')
    }
    // `slow` holds one of the two slots: item 0 takes the other and fails while item 1 waits for a slot.
    const failing = parallel([0, 1, 2], limiter, work)
    await expect(failing).rejects.toThrow('item 0 failed')
    await slow
    expect(started).toEqual([0])
  })

  it('chunk splits into runs of the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
  })
})
