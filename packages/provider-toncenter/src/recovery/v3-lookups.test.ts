import { describe, expect, it } from 'vitest'
import { chunk, parallel } from './v3-lookups.js'

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

  it('chunk splits into runs of the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
  })
})
