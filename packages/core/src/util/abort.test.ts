import { describe, expect, it } from 'vitest'
import { sleep } from './abort.js'

describe('sleep', () => {
  it('waits longer than a timer can hold instead of firing at once, and abort still ends it', async () => {
    const controller = new AbortController()
    let settled = false
    const wait = sleep(2 ** 31 + 1_000, controller.signal).then(
      () => {
        settled = true
      },
      (error: unknown) => error,
    )
    await new Promise((r) => setTimeout(r, 50))
    expect(settled).toBe(false)
    controller.abort()
    expect(await wait).toMatchObject({ code: 'Aborted' })
  })
})
