// `pnpm bench [scenario…]`: runs the scenarios (all, or those named) against local testkit servers, prints
// a table, merges the results into benchmarks/results.json as [{ name, unit, value, baseline, ratio }]
// (one entry per name; a full run replaces the file) and regenerates the README's results table.
import { readFile, writeFile } from 'node:fs/promises'
import { otelOverhead } from './otel-overhead.mjs'
import { writeReadmeTable } from './readme-table.mjs'
import { relayBench } from './relay.mjs'
import { sseIngest } from './sse-ingest.mjs'
import { tonIngest, tonRss, tonTrace } from './ton-ingest.mjs'
import { trackerTrack } from './tracker-track.mjs'
import { venumTrack } from './venum-track.mjs'

const scenarios = {
  'ton-ingest': tonIngest,
  'ton-trace': tonTrace,
  'ton-rss': tonRss,
  'sse-ingest': sseIngest,
  'venum-track': venumTrack,
  'tracker-track': trackerTrack,
  'otel-overhead': otelOverhead,
  relay: relayBench,
}
// `--rounds N` overrides the scenarios' repetitions (quick looks while profiling).
const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const options = roundsAt === -1 ? {} : { rounds: Number(args.splice(roundsAt, 2)[1]) }
const only = args
const unknown = only.filter((name) => !(name in scenarios))
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(scenarios).join(', ')}`)
  process.exit(2)
}
const resultsFile = new URL('./results.json', import.meta.url)

const results = []
// A scenario that fails is reported and the others still run; its rows are left out of the results (a
// full run writes only what it measured), and the command exits non-zero.
const failed = []
for (const [name, run] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stdout.write(`running ${name}…\n`)
  try {
    results.push(...(await run(options)))
  } catch (error) {
    failed.push(name)
    console.error(`${name} failed:`, error)
  }
}

console.table(
  results.map((r) => ({
    name: r.name,
    unit: r.unit,
    value: r.value.toLocaleString('en'),
    baseline: r.baseline.toLocaleString('en'),
    ratio: r.ratio,
    ...(r.spread ? { spread: `${r.spread[0]}–${r.spread[1]}` } : {}),
  })),
)

let previous = []
if (only.length > 0) {
  try {
    previous = JSON.parse(await readFile(resultsFile, 'utf8'))
  } catch {}
}
const names = new Set(results.map((r) => r.name))
const merged = [...previous.filter((r) => !names.has(r.name)), ...results]
await writeFile(resultsFile, `${JSON.stringify(merged, null, 2)}\n`)
console.log(`wrote ${resultsFile.pathname}`)
await writeReadmeTable(merged)
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exitCode = 1
}
