import { describe, expect, it } from 'vitest'
import { formatFailure, runSeed } from '../src/run-seed.js'
import { REGRESSIONS } from './regression-seeds.js'

describe('chaos regressions', () => {
  for (const [seed, what] of REGRESSIONS) {
    it(`seed ${seed}: ${what}`, async () => {
      const result = await runSeed(seed)
      expect(result.ok ? '' : formatFailure(result)).toBe('')
    }, 60_000)
  }
})
