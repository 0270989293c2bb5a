import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const pkg = (name: string) => fileURLToPath(new URL(`../${name}/src/index.ts`, import.meta.url))

/**
 * The configuration `pnpm chaos` runs its workers with: the sweep worker only (never the test files),
 * one process each, no time limit, the sources aliased as in the root configuration.
 */
export default defineConfig({
  root: repo,
  resolve: {
    alias: {
      '@chainstream/core': pkg('core'),
      '@chainstream/testkit': pkg('testkit'),
      '@chainstream/provider-toncenter': pkg('provider-toncenter'),
      '@chainstream/provider-tonapi': pkg('provider-tonapi'),
      '@chainstream/provider-venum-solana': pkg('provider-venum-solana'),
    },
  },
  test: {
    include: ['packages/chaos/src/sweep-worker.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 86_400_000,
    reporters: ['dot'],
  },
})
