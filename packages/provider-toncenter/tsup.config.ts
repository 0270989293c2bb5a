import { packageBuild } from '../../tsup.package'

// The provider, and the TON Streaming v2 wire codec as `/protocol`, sharing one copy of each module.
export default packageBuild({
  entry: { index: 'src/index.ts', protocol: 'src/protocol/index.ts' },
  splitting: true,
})
