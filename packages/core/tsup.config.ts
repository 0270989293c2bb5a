import { packageBuild } from '../../tsup.package'

// Two entry points (the application surface and `/provider`) share one copy of each module through
// chunks, so an error class or a registry is the same object whichever entry it was reached through.
export default packageBuild({ entry: ['src/index.ts', 'src/provider.ts'], splitting: true })
