import { packageBuild } from '../../tsup.package'

// Three entry points (the application surface, `/provider` and `/opentelemetry`) share one copy of each module through
// chunks, so an error class or a registry is the same object whichever entry it was reached through.
export default packageBuild({
  entry: ['src/index.ts', 'src/provider.ts', 'src/opentelemetry.ts'],
  splitting: true,
})
