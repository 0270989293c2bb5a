import { packageBuild } from '../../tsup.package'

// The library entry (`runCli`, the record types) and the `chainstream` executable, which keeps its shebang
// (tsup marks a file starting with one executable).
export default packageBuild({ entry: ['src/index.ts', 'src/bin.ts'] })
