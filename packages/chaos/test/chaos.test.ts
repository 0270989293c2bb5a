import { describe } from 'vitest'
import { seedBlocks } from './seed-blocks.js'

// Seeds 1–100; `chaos-more-seeds.test.ts` runs 101–200 in the other worker. Fixed ranges: the same seeds
// run on every machine, and a failure prints `pnpm chaos --seed N` to replay it.
describe('chaos: seeded fault schedules against both simulators', () => {
  seedBlocks(1, 100, 25)
})
