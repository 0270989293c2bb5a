import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import root from '../../vitest.config.js'

/**
 * The configuration `pnpm chaos` runs its workers with: the root configuration's resolution (the
 * workspace packages aliased to their sources, whatever subpaths they add), but only the sweep worker —
 * never the test files — in one process each, without a time limit.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  ...(root.resolve ? { resolve: root.resolve } : {}),
  test: {
    include: ['packages/chaos/src/sweep-worker.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 86_400_000,
    reporters: ['dot'],
  },
})
