// The browser-bundle check of `pnpm test`, on the built packages as an app would ship them (esbuild,
// minified ESM, resolved through the packages' export conditions):
//   - every public entry point bundles for the browser and for a worker with zero errors, and pulls in
//     neither undici nor `ws` nor core's Node runtime module;
//   - core + provider-toncenter and core + provider-venum-solana are measured (gzip -9) against the size
//     targets (30 KB and 25 KB) and against ceilings that stop the bundles from growing while the targets
//     are not met yet. Over a ceiling fails the run; a missed target is printed as such.
// `--json` prints the figures as JSON. `--breakdown` bundles the two budgets from the packages' sources instead
// (same esbuild settings) and lists the minified bytes each source file and dependency contributes, by
// package: where to look when a bundle grows. Entry points named after it (`--breakdown @chainstream/core`)
// are broken down instead of the budgets.
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
    // Raised from 44.2 KB for four recovery fixes (the block a trace finalized in; per-type records; API v3
    // deployments without /masterchainInfo or /blocks; repeats on a shared connection): about 750 B; then to
    // 45.1 KB for the tracker riding the streams' connection and the retry of failed trace look-ups: 263 B.
    ceilingGzip: 45.1 * KB,
  },
  {
    name: 'core + provider-venum-solana',
    entries: ['@chainstream/core', '@chainstream/provider-venum-solana'],
    targetGzip: 25 * KB,
    ceilingGzip: 28.7 * KB,
  },
]

/** Modules that must never reach a browser bundle. */
const NODE_ONLY = [/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(?:undici|ws)\//, /runtime-node\./]
const VALIDATOR = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(?:zod|valibot)\//

/** Public entry points (and core's platform module, as a browser resolves it) mapped to their sources. */
const SOURCES = {
  '@chainstream/core': 'packages/core/src/index.ts',
  '@chainstream/core/provider': 'packages/core/src/provider.ts',
  '@chainstream/core/opentelemetry': 'packages/core/src/opentelemetry.ts',
  '#runtime': 'packages/core/src/runtime/runtime-web.ts',
  '@chainstream/provider-toncenter': 'packages/provider-toncenter/src/index.ts',
  '@chainstream/provider-toncenter/protocol': 'packages/provider-toncenter/src/protocol/index.ts',
  '@chainstream/provider-tonapi': 'packages/provider-tonapi/src/index.ts',
  '@chainstream/provider-venum-solana': 'packages/provider-venum-solana/src/index.ts',
}
const fromSources = {
  name: 'chainstream-sources',
  setup(build) {
    build.onResolve({ filter: /^(?:@chainstream\/|#runtime$)/ }, ({ path }) =>
      SOURCES[path] === undefined ? undefined : { path: `${root}${SOURCES[path]}` },
    )
  },
}

async function bundle(entries, conditions, plugins = []) {
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
    plugins,
  }).catch((error) => ({ errors: error.errors ?? [{ text: String(error) }], warnings: [] }))
  if (result.errors.length > 0) return { errors: result.errors.map((e) => e.text) }
  const code = result.outputFiles[0].contents
  const inputs = Object.values(result.metafile.outputs)[0].inputs
  const nodeOnly = Object.keys(inputs).filter((input) => NODE_ONLY.some((pattern) => pattern.test(input)))
  const validator = Object.entries(inputs)
    .filter(([input]) => VALIDATOR.test(input))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0)
  return {
    errors: [],
    bytes: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    validator,
    nodeOnly,
    inputs,
  }
}

const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`

/** A source file's package (`core`, `provider-toncenter`, ...) or dependency (`zod`, ...). */
function owner(input) {
  const dependency = input.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (dependency) return dependency[1]
  return input.match(/packages\/([^/]+)\//)?.[1] ?? input
}

/** The budgets, or the entry points named after `--breakdown` bundled together. */
async function breakdown(named) {
  const budgets = named.length > 0 ? [{ name: named.join(' + '), entries: named }] : BUDGETS
  for (const budget of budgets) {
    const result = await bundle(budget.entries, [], [fromSources])
    if (result.errors.length > 0) throw new Error(`${budget.name}: ${result.errors[0]}`)
    const files = Object.entries(result.inputs)
      .map(([input, { bytesInOutput }]) => ({ owner: owner(input), input, bytes: bytesInOutput }))
      .filter((file) => file.bytes > 0)
    const owners = new Map()
    for (const file of files) owners.set(file.owner, (owners.get(file.owner) ?? 0) + file.bytes)
    console.log(`${budget.name}, from sources: ${kb(result.bytes)} min, ${kb(result.gzip)} gzip`)
    for (const [name, bytes] of [...owners].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${kb(bytes).padStart(9)}  ${name}`)
      for (const file of files.filter((f) => f.owner === name).sort((a, b) => b.bytes - a.bytes)) {
        const path = file.input.replace(
          /^.*?(?:packages\/[^/]+\/src\/|node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?)/,
          '',
        )
        console.log(`  ${''.padStart(9)}  ${String(file.bytes).padStart(7)} B  ${path}`)
      }
    }
  }
}

if (process.argv.includes('--breakdown')) {
  await breakdown(
    process.argv.slice(process.argv.indexOf('--breakdown') + 1).filter((arg) => arg.startsWith('@')),
  )
  process.exit(0)
}

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
    // No validator library is bundled since options are checked by hand: one coming back is named.
    const validator = f.validator > 0 ? `  (validator library ${kb(f.validator)} min)` : ''
    const size = `${kb(f.bytes).padStart(9)} min ${kb(f.gzip).padStart(8)} gzip${validator}`
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
