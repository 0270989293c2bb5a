// The browser-bundle check of `pnpm test`: every public entry point must bundle for the browser (and
// for a worker) with esbuild and zero errors, without undici or `ws`, and the two budgets must hold —
// core + provider-toncenter ≤ 30 KB gzip, core + provider-venum-solana ≤ 25 KB gzip — as an app
// would ship them: minified ESM of the built packages, resolved through their export conditions.
// Prints every figure; exits 1 on a failure. `--json` prints the figures as JSON instead.
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const KB = 1024

/** Every public entry point, each bundled alone. */
const ENTRY_POINTS = [
  '@chainstream/core',
  '@chainstream/core/provider',
  '@chainstream/provider-toncenter',
  '@chainstream/provider-toncenter/protocol',
  '@chainstream/provider-tonapi',
  '@chainstream/provider-venum-solana',
]

/** What an app ships for one chain, and the most it may weigh gzipped. */
const BUDGETS = [
  {
    name: 'core + provider-toncenter',
    entries: ['@chainstream/core', '@chainstream/provider-toncenter'],
    maxGzip: 30 * KB,
  },
  {
    name: 'core + provider-venum-solana',
    entries: ['@chainstream/core', '@chainstream/provider-venum-solana'],
    maxGzip: 25 * KB,
  },
]

/** Modules that must never reach a browser bundle. */
const NODE_ONLY = [/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(?:undici|ws)\//, /runtime-node\./]

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
  const inputs = Object.keys(result.metafile.inputs)
  const nodeOnly = inputs.filter((input) => NODE_ONLY.some((pattern) => pattern.test(input)))
  return { errors: [], bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, nodeOnly }
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
    if (result.errors.length > 0)
      failures.push(`${entry} (${target}): ${result.errors.length} errors: ${result.errors[0]}`)
    else if (result.nodeOnly.length > 0)
      failures.push(`${entry} (${target}) pulls in ${result.nodeOnly.join(', ')}`)
  }
}
for (const budget of BUDGETS) {
  const result = await bundle(budget.entries, [])
  figures.push({ kind: 'budget', target: 'browser', name: budget.name, maxGzip: budget.maxGzip, ...result })
  if (result.errors.length > 0) failures.push(`${budget.name}: ${result.errors[0]}`)
  else if (result.gzip > budget.maxGzip) {
    failures.push(`${budget.name} is ${kb(result.gzip)} gzip, over its budget of ${kb(budget.maxGzip)}`)
  }
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(figures, null, 2))
} else {
  console.log('browser bundles (esbuild --platform=browser, minified ESM; gzip -9):')
  for (const f of figures) {
    const size = f.errors.length > 0 ? `${f.errors.length} errors` : `${kb(f.bytes)} min, ${kb(f.gzip)} gzip`
    const budget =
      f.kind === 'budget' ? `  (budget ${kb(f.maxGzip)} gzip: ${f.gzip <= f.maxGzip ? 'ok' : 'OVER'})` : ''
    console.log(`  ${f.target.padEnd(7)} ${f.name.padEnd(42)} ${size}${budget}`)
  }
}
if (failures.length > 0) {
  for (const failure of failures) console.error(`check-bundle-size: ${failure}`)
  process.exit(1)
}
