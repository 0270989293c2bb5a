import { describe, expect, it } from 'vitest'
import { BoundedQueue } from './bounded-queue.js'

const drain = async <T>(queue: BoundedQueue<T>): Promise<T[]> => {
  const out: T[] = []
  for (;;) {
    const result = await queue.next()
    if (result.done) return out
    out.push(result.value)
  }
}

describe('BoundedQueue', () => {
  it('keeps FIFO order while its ring grows across a wrap-around', async () => {
    const queue = new BoundedQueue<number>(
      Number.POSITIVE_INFINITY,
      'fail',
      () => {},
      () => {},
      () => {},
    )
    for (let i = 0; i < 40; i++) queue.push(i)
    for (let i = 0; i < 30; i++) expect((await queue.next()).value).toBe(i)
    for (let i = 40; i < 1_000; i++) queue.push(i) // wraps, then grows several times
    queue.end()
    expect(await drain(queue)).toEqual(Array.from({ length: 970 }, (_, i) => i + 30))
  })

  it('drops the oldest once full at its capacity, counting each drop', async () => {
    let drops = 0
    const queue = new BoundedQueue<number>(
      100,
      'dropOldest',
      () => drops++,
      () => {},
      () => {},
    )
    for (let i = 0; i < 250; i++) queue.push(i)
    queue.end()
    expect(drops).toBe(150)
    expect(await drain(queue)).toEqual(Array.from({ length: 100 }, (_, i) => i + 150))
  })

  it("reports an overflow under 'fail' without losing what it holds", async () => {
    const overflows: string[] = []
    const queue = new BoundedQueue<number>(
      70,
      'fail',
      () => {},
      (e) => overflows.push(e.code),
      () => {},
    )
    for (let i = 0; i < 71; i++) queue.push(i)
    queue.end()
    expect(overflows).toEqual(['BufferOverflow'])
    expect(await drain(queue)).toHaveLength(70)
  })
})
