import { describe, expect, it } from 'vitest'
import { sleep, untilSettled } from '../src/harness/wait.js'

describe('untilSettled', () => {
  it('does not call a run settled in a moment when a late answer makes something owed again', async () => {
    // The moment of chaos seed 100350: nothing owed yet, then a look-up sent earlier answers and a
    // terminal is owed after all; the harness must wait for it rather than judge the run in between.
    let owed = false
    let settled = false
    let progress = 0
    setTimeout(() => {
      owed = true
      progress++
    }, 10)
    setTimeout(() => {
      settled = true
      progress++
    }, 120)
    const started = Date.now()
    const quiet = await untilSettled(
      () => !owed || settled,
      () => progress,
      1_000,
      2_000,
      50,
    )
    expect(quiet).toBe(true)
    expect(settled).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(120)
  })

  it('settles once done() has held through the grace period with no progress', async () => {
    const started = Date.now()
    expect(
      await untilSettled(
        () => true,
        () => 0,
        1_000,
        2_000,
        30,
      ),
    ).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
  })

  it('gives up after idleMs without progress', async () => {
    const started = Date.now()
    expect(
      await untilSettled(
        () => false,
        () => 0,
        60,
        2_000,
        10,
      ),
    ).toBe(false)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('keeps waiting while progress goes on, until the cap', async () => {
    let progress = 0
    const ticking = setInterval(() => progress++, 5)
    try {
      const started = Date.now()
      expect(
        await untilSettled(
          () => false,
          () => progress,
          40,
          150,
          10,
        ),
      ).toBe(false)
      expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    } finally {
      clearInterval(ticking)
      await sleep(0)
    }
  })
})
