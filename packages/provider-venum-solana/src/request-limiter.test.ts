import { describe, expect, it } from 'vitest'
import { RequestLimiter } from './request-limiter.js'

const gate = () => {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}

describe('RequestLimiter', () => {
  it('runs at most `limit` calls at once, the rest in order as slots free', async () => {
    const limiter = new RequestLimiter(2)
    const order: number[] = []
    let running = 0
    let most = 0
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limiter.run(async () => {
          running++
          most = Math.max(most, running)
          order.push(n)
          await new Promise((resolve) => setTimeout(resolve, 5))
          running--
        }),
      ),
    )
    expect(most).toBe(2)
    expect(order).toEqual([1, 2, 3, 4, 5])
  })

  it('skips a call that is no longer wanted when its turn comes', async () => {
    const limiter = new RequestLimiter(1)
    const first = gate()
    const busy = limiter.run(() => first.opened)
    let wanted = true
    let ran = false
    const skipped = limiter.runIfWanted(
      async () => {
        ran = true
        return 'done'
      },
      () => wanted,
    )
    wanted = false
    first.open()
    await busy
    await expect(skipped).resolves.toBeUndefined()
    expect(ran).toBe(false)
  })

  it('skips a queued call whose signal fired by its turn, and gives the slot to the next one', async () => {
    const limiter = new RequestLimiter(1)
    const first = gate()
    const busy = limiter.run(() => first.opened)
    const controller = new AbortController()
    let ran = false
    const skipped = limiter.runIfWanted(
      async () => {
        ran = true
      },
      () => true,
      controller.signal,
    )
    const next = limiter.runIfWanted(
      async () => 'next',
      () => true,
    )
    controller.abort()
    first.open()
    await busy
    await expect(skipped).resolves.toBeUndefined()
    await expect(next).resolves.toBe('next')
    expect(ran).toBe(false)
    // Every slot is free again: a new call runs at once.
    await expect(limiter.run(async () => 'again')).resolves.toBe('again')
  })

  it('runs a batch as one queue entry: in order, within the bound, skipping unwanted items, after the calls queued before it', async () => {
    const limiter = new RequestLimiter(2)
    const first = gate()
    const started: string[] = []
    // `busy` holds a slot until the gate opens; then the batch may use both.
    let running = 1
    let most = 0
    const busy = limiter.run(async () => {
      started.push('busy')
      await first.opened
      running--
    })
    const earlier = limiter.run(async () => {
      started.push('earlier')
    })
    const { done: batch } = limiter.each(
      ['a', 'b', 'skip', 'c', 'd'],
      async (item) => {
        running++
        most = Math.max(most, running)
        started.push(item)
        await new Promise((resolve) => setTimeout(resolve, 2))
        running--
      },
      (item) => item !== 'skip',
    )
    await earlier
    await new Promise((resolve) => setTimeout(resolve, 20))
    first.open()
    await Promise.all([busy, batch])
    expect(started).toEqual(['busy', 'earlier', 'a', 'b', 'c', 'd'])
    expect(most).toBeLessThanOrEqual(2)
  })

  it('drops the items of a batch not started yet when it is cancelled', async () => {
    const limiter = new RequestLimiter(1)
    const first = gate()
    const busy = limiter.run(() => first.opened)
    const started: string[] = []
    const batch = limiter.each(
      ['a', 'b'],
      async (item) => {
        started.push(item)
      },
      () => true,
    )
    batch.cancel()
    // Settled at once, while the slot is still taken: nothing of it waits for its turn.
    await expect(batch.done).resolves.toBeUndefined()
    first.open()
    await busy
    expect(started).toEqual([])
    await expect(limiter.run(async () => 'free')).resolves.toBe('free')
  })
})
