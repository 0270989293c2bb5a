// The browser-bundle check of `pnpm test`, on the built packages as an app would ship them (esbuild,
// minified ESM, resolved through the packages' export conditions):
//   - every public entry point bundles for the browser and for a worker with zero errors, and pulls in
//     neither undici nor `ws` nor core's Node runtime module;
//   - core + provider-toncenter and core + provider-venum-solana are measured (gzip -9) against the size
//     targets (30 KB and 25 KB) and against ceilings that stop the bundles from growing while the targets
//     are not met yet. Over a ceiling fails the run; a missed target is printed as such.
// `--json` prints the figures as JSON.
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const KB = 1024

/** Every public entry point, each bundled alone. */
const ENTRY_POINTS = [
  '@chainstream/core',
  '@chainstream/core/provider',
  '@chainstream/core/opentelemetry',
  '@chainstream/provider-toncenter',
  '@chainstream/provider-toncenter/protocol',
  '@chainstream/provider-tonapi',
  '@chainstream/provider-venum-solana',
]

/** What an app ships for one chain: the size to reach, and the most it may weigh now (both gzip). */
const BUDGETS = [
  {
    name: 'core + provider-toncenter',
    entries: ['@chainstream/core', '@chainstream/provider-toncenter'],
    targetGzip: 30 * KB,
    ceilingGzip: 52 * KB,
  },
  {
    name: 'core + provider-venum-solana',
    entries: ['@chainstream/core', '@chainstream/provider-venum-solana'],
    targetGzip: 25 * KB,
    ceilingGzip: 40 * KB,
  },
]

/** Modules that must never reach a browser bundle. */
const NODE_ONLY = [/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(?:undici|ws)\//, /runtime-node\./]
const VALIDATOR = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?zod\//

async function bundle(entries, conditions) {
  const result = await build({
    stdin: {
      contents: entries.map((entry) => `export * from '${entry}'`).join('\n'),
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    write: false,
    platform: 'browser',
    conditions,
    format: 'esm',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  }).catch((error) => ({ errors: error.errors ?? [{ text: String(error) }], warnings: [] }))
  if (result.errors.length > 0) return { errors: result.errors.map((e) => e.text) }
  const code = result.outputFiles[0].contents
  const inputs = Object.values(result.metafile.outputs)[0].inputs
  const nodeOnly = Object.keys(inputs).filter((input) => NODE_ONLY.some((pattern) => pattern.test(input)))
  const validator = Object.entries(inputs)
    .filter(([input]) => VALIDATOR.test(input))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0)
  return { errors: [], bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, validator, nodeOnly }
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`
const figures = []
const failures = []

for (const [target, conditions] of [
  ['browser', []],
  ['worker', ['worker']],
]) {
  for (const entry of ENTRY_POINTS) {
    const result = await bundle([entry], conditions)
    figures.push({ kind: 'entry', target, name: entry, ...result })
    if (result.errors.length > 0) {
      failures.push(`${entry} (${target}): ${result.errors.length} errors, the first: ${result.errors[0]}`)
    } else if (result.nodeOnly.length > 0) {
      failures.push(`${entry} (${target}) pulls in ${result.nodeOnly.join(', ')}`)
    }
  }
}
for (const budget of BUDGETS) {
  const result = await bundle(budget.entries, [])
  figures.push({ kind: 'budget', target: 'browser', ...budget, ...result })
  if (result.errors.length > 0) failures.push(`${budget.name}: ${result.errors[0]}`)
  else if (result.gzip > budget.ceilingGzip) {
    failures.push(`${budget.name} is ${kb(result.gzip)} gzip, over its ceiling of ${kb(budget.ceilingGzip)}`)
  }
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(figures, null, 2))
} else {
  console.log('browser bundles (esbuild --platform=browser, minified ESM; gzip -9):')
  for (const f of figures) {
    if (f.errors.length > 0) {
      console.log(`  ${f.target.padEnd(7)} ${f.name.padEnd(42)} ${f.errors.length} errors`)
      continue
    }
    const size = `${kb(f.bytes).padStart(9)} min ${kb(f.gzip).padStart(8)} gzip  (zod/mini ${kb(f.validator)} min)`
    console.log(`  ${f.target.padEnd(7)} ${f.name.padEnd(42)} ${size}`)
    if (f.kind === 'budget') {
      const verdict =
        f.gzip <= f.targetGzip
          ? 'met'
          : `NOT MET: ${kb(f.gzip - f.targetGzip)} over (ceiling ${kb(f.ceilingGzip)})`
      console.log(`  ${''.padEnd(50)} target ${kb(f.targetGzip)} gzip: ${verdict}`)
    }
  }
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`check-bundle-size: ${failure}`)
  process.exit(1)
}
