import { describe, expect, it } from 'vitest'
import { HeldOrder } from './held-order.js'
import { TraceRecord } from './trace-record.js'

const hashes = (order: HeldOrder) => [...order].map((record) => record.hash)

describe('HeldOrder', () => {
  it('keeps records oldest first through pushes and removals anywhere', () => {
    const order = new HeldOrder()
    const [a, b, c] = ['a', 'b', 'c'].map((hash) => new TraceRecord(hash)) as [
      TraceRecord,
      TraceRecord,
      TraceRecord,
    ]
    for (const record of [a, b, c]) order.push(record)
    expect(hashes(order)).toEqual(['a', 'b', 'c'])
    order.remove(b)
    expect(hashes(order)).toEqual(['a', 'c'])
    expect(order.has(b)).toBe(false)
    order.remove(b)
    expect(order.size).toBe(2)
    order.remove(a)
    expect(order.first()).toBe(c)
    order.push(a)
    expect(hashes(order)).toEqual(['c', 'a'])
    order.remove(a)
    order.remove(c)
    expect(order.size).toBe(0)
    expect(order.has(c)).toBe(false)
    expect(hashes(order)).toEqual([])
    order.push(b)
    expect(hashes(order)).toEqual(['b'])
    expect(order.has(b)).toBe(true)
  })
})
