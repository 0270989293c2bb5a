import { packageBuild } from '../../tsup.package'

// The library, and the `chainstream-relay` command.
export default packageBuild({ entry: ['src/index.ts', 'src/cli.ts'] })
