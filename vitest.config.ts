import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, so a change is tested without a rebuild; the package checks
    // (publint, attw) and the benchmarks exercise the built output.
    alias: {
      // The subpath first: an alias matches by prefix.
      '@chainstream/core/provider': fileURLToPath(
        new URL('./packages/core/src/provider.ts', import.meta.url),
      ),
      '@chainstream/core/opentelemetry': fileURLToPath(
        new URL('./packages/core/src/opentelemetry.ts', import.meta.url),
      ),
      '@chainstream/core': pkg('core'),
      // Core's platform module, chosen by export condition in a build; tests run on Node.
      '#runtime': fileURLToPath(new URL('./packages/core/src/runtime/runtime-node.ts', import.meta.url)),
      '@chainstream/provider-toncenter/protocol': fileURLToPath(
        new URL('./packages/provider-toncenter/src/protocol/index.ts', import.meta.url),
      ),
      '@chainstream/testkit': pkg('testkit'),
      '@chainstream/provider-toncenter': pkg('provider-toncenter'),
      '@chainstream/provider-tonapi': pkg('provider-tonapi'),
      '@chainstream/provider-venum-solana': pkg('provider-venum-solana'),
      '@chainstream/cli': pkg('cli'),
      '@chainstream/relay': pkg('relay'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests open real sockets on loopback; two forks keep a 2-core machine busy without starving the servers.
    pool: 'forks',
    // The JSON report is what CI counts passed and failed tests from.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    maxWorkers: 2,
  },
})
