import { describe, expect, it } from 'vitest'
import { untilSettled } from '../src/harness/wait.js'

/** untilSettled's verdict and how long it took to give it. */
async function timed(
  done: () => boolean,
  progress: () => number,
  limits: { idleMs: number; capMs: number; graceMs: number },
): Promise<{ quiet: boolean; ms: number }> {
  const started = Date.now()
  const quiet = await untilSettled(done, progress, limits.idleMs, limits.capMs, limits.graceMs)
  return { quiet, ms: Date.now() - started }
}

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
    const { quiet, ms } = await timed(
      () => !owed || settled,
      () => progress,
      { idleMs: 1_000, capMs: 2_000, graceMs: 50 },
    )
    expect(quiet).toBe(true)
    expect(settled).toBe(true)
    expect(ms).toBeGreaterThanOrEqual(120)
  })

  it('settles once done() has held through the grace period with no progress', async () => {
    const { quiet, ms } = await timed(
      () => true,
      () => 0,
      { idleMs: 1_000, capMs: 2_000, graceMs: 30 },
    )
    expect(quiet).toBe(true)
    expect(ms).toBeGreaterThanOrEqual(25)
  })

  it('gives up after idleMs without progress', async () => {
    const { quiet, ms } = await timed(
      () => false,
      () => 0,
      { idleMs: 60, capMs: 2_000, graceMs: 10 },
    )
    expect(quiet).toBe(false)
    expect(ms).toBeLessThan(1_000)
  })

  it('keeps waiting while progress goes on, until the cap', async () => {
    let progress = 0
    const ticking = setInterval(() => progress++, 5)
    try {
      const { quiet, ms } = await timed(
        () => false,
        () => progress,
        { idleMs: 40, capMs: 150, graceMs: 10 },
      )
      expect(quiet).toBe(false)
      expect(ms).toBeGreaterThanOrEqual(140)
    } finally {
      clearInterval(ticking)
    }
  })
})
