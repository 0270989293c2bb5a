import { defineConfig, type Options } from 'tsup'

/**
 * The build of every library package: ESM and CommonJS, each with its own types (Node-RED 4 loads
 * CommonJS), for Node 20. A package passes only what differs (its entry points).
 */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    ...overrides,
  })
}
