import { packageBuild } from '../../tsup.package'

// Three entry points (the application surface, `/provider`, `/opentelemetry`) share one copy of each module
// through chunks, so an error class or a registry is the same object whichever entry it was reached through.
// The platform module stays an import (`#runtime`): package.json's `imports` picks `runtime-node` (undici,
// `ws`) or `runtime-web` (the global `fetch` and `WebSocket`) by export condition when the package is
// loaded or bundled, so one build serves Node, browsers and workers.
export default packageBuild({
  entry: {
    index: 'src/index.ts',
    provider: 'src/provider.ts',
    opentelemetry: 'src/opentelemetry.ts',
    'runtime-node': 'src/runtime/runtime-node.ts',
    'runtime-web': 'src/runtime/runtime-web.ts',
  },
  dts: {
    entry: {
      index: 'src/index.ts',
      provider: 'src/provider.ts',
      opentelemetry: 'src/opentelemetry.ts',
    },
  },
  external: ['#runtime'],
  splitting: true,
})
