import { describe } from 'vitest'
import { seedBlocks } from './seed-blocks.js'

// The second half of the CI range, in its own file so vitest runs it on the second worker.
describe('chaos: seeded fault schedules against both simulators (101–200)', () => {
  seedBlocks(101, 200, 25)
})
