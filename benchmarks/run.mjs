// `pnpm bench`: runs every scenario against local testkit servers, prints a table and merges the results
// into benchmarks/results.json as [{ name, unit, value, baseline, ratio }] (an entry per scenario name).
import { readFile, writeFile } from 'node:fs/promises'
import { otelOverhead } from './otel-overhead.mjs'
import { relayBench } from './relay.mjs'
import { sseIngest } from './sse-ingest.mjs'
import { trackerTrack } from './tracker-track.mjs'
import { venumTrack } from './venum-track.mjs'
import { wsIngest } from './ws-ingest.mjs'

const scenarios = {
  'sse-ingest': sseIngest,
  'ws-ingest': wsIngest,
  'venum-track': venumTrack,
  'tracker-track': trackerTrack,
  'otel-overhead': otelOverhead,
  relay: relayBench,
}
const only = process.argv.slice(2)
const resultsFile = new URL('./results.json', import.meta.url)

const results = []
for (const [name, run] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stdout.write(`running ${name}…\n`)
  results.push(...(await run()))
}

console.table(
  results.map((r) => ({
    ...r,
    value: r.value.toLocaleString('en'),
    baseline: r.baseline.toLocaleString('en'),
  })),
)

let previous = []
try {
  previous = JSON.parse(await readFile(resultsFile, 'utf8'))
} catch {}
const names = new Set(results.map((r) => r.name))
const merged = [...previous.filter((r) => !names.has(r.name)), ...results]
await writeFile(resultsFile, `${JSON.stringify(merged, null, 2)}\n`)
console.log(`wrote ${resultsFile.pathname}`)
