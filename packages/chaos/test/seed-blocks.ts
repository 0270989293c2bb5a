import { expect, it } from 'vitest'
import { formatFailure, runSeed } from '../src/run-seed.js'

/** A block's time limit: generous, since a stuck seed ends itself after 30 s and is reported. */
const BLOCK_TIMEOUT_MS = 600_000

/**
 * Registers one test per block of `size` seeds in `from..to`. A block runs its seeds one after another
 * (each on fresh simulators) and fails with every failing seed's violations and its replay command, so
 * the test output names the seeds to replay.
 */
export function seedBlocks(from: number, to: number, size: number): void {
  for (let start = from; start <= to; start += size) {
    const end = Math.min(to, start + size - 1)
    it(
      `seeds ${start}–${end}`,
      async () => {
        const failures: string[] = []
        for (let seed = start; seed <= end; seed++) {
          const result = await runSeed(seed)
          if (!result.ok) failures.push(formatFailure(result))
        }
        expect(failures.join('\n\n'), `${failures.length} failing seed(s)`).toBe('')
      },
      BLOCK_TIMEOUT_MS,
    )
  }
}
