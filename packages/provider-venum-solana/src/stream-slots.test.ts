import { describe, expect, it } from 'vitest'
import { RateGate, StreamSlots } from './stream-slots.js'

describe('StreamSlots', () => {
  it('grants up to max at once, then first come first served; a released slot goes to the next waiter', async () => {
    const slots = new StreamSlots(2)
    const a = slots.tryAcquire()
    const b = slots.tryAcquire()
    expect(a && b).toBeTruthy()
    expect(slots.tryAcquire()).toBeUndefined()
    const signal = new AbortController().signal
    const order: string[] = []
    const c = slots.acquire(signal).then((release) => {
      order.push('c')
      return release
    })
    const d = slots.acquire(signal).then((release) => {
      order.push('d')
      return release
    })
    a?.()
    a?.() // idempotent
    const releaseC = await c
    expect(order).toEqual(['c'])
    expect(slots.inUse).toBe(2)
    b?.()
    await d
    releaseC()
    expect(order).toEqual(['c', 'd'])
    expect(slots.inUse).toBe(1)
  })

  it('drops an aborted waiter from the queue', async () => {
    const slots = new StreamSlots(1)
    const held = slots.tryAcquire()
    const controller = new AbortController()
    const waiting = slots.acquire(controller.signal)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'Aborted' })
    held?.()
    expect(slots.inUse).toBe(0)
  })
})

describe('RateGate', () => {
  it('spaces calls to the configured rate', async () => {
    const gate = new RateGate(100)
    const signal = new AbortController().signal
    const started = Date.now()
    for (let i = 0; i < 6; i++) await gate.wait(signal)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })
})
