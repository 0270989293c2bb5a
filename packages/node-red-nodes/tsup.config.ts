import { cpSync, readdirSync } from 'node:fs'
import { defineConfig } from 'tsup'

// One CommonJS file per Node-RED node set: Node-RED 4 loads node files with `require()`, and the editor
// `.html` of each must sit next to its `.js` with the same base name, with `locales/` and `icons/` in the
// same folder (copied after each build).
// Shared code goes into chunks; the @chainstream/* providers stay external dependencies.
export default defineConfig({
  entry: {
    'chainstream-toncenter': 'src/nodes/chainstream-toncenter.ts',
    'chainstream-tonapi': 'src/nodes/chainstream-tonapi.ts',
    'chainstream-venum': 'src/nodes/chainstream-venum.ts',
    'ton-stream': 'src/nodes/ton-stream.ts',
    'solana-tx-status': 'src/nodes/solana-tx-status.ts',
    'tx-lifecycle': 'src/nodes/tx-lifecycle.ts',
  },
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  target: 'node20',
  treeshake: true,
  onSuccess: async () => {
    for (const file of readdirSync('src/nodes')) {
      if (file.endsWith('.html')) cpSync(`src/nodes/${file}`, `dist/${file}`)
    }
    cpSync('src/locales', 'dist/locales', { recursive: true })
    cpSync('src/icons', 'dist/icons', { recursive: true })
  },
})
