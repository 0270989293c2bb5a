// `node benchmarks/profile-ingest.mjs [sse|ws] [events] [subject]`: one ingest subject (default: the
// chainstream provider over SSE, 200,000 `transactions` notifications of 1 KB) under the V8 CPU profiler,
// with the servers in this process and the client in a child; prints the functions with the most self
// time and writes the profile to benchmarks/profiles/ (open it in Chrome DevTools or speedscope).
// For finding what to remove; the figures to report come from `pnpm bench`.
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { transactionsFrames } from './frames.mjs'
import { startIngestServers } from './ingest-server.mjs'
import { ACCOUNT } from './ingest-subjects.mjs'

const [transport = 'sse', eventsArg = '200000', subject = 'chainstream'] = process.argv.slice(2)
const events = Number(eventsArg)
const dir = new URL('./profiles/', import.meta.url).pathname
mkdirSync(dir, { recursive: true })

const servers = await startIngestServers(transactionsFrames(1024))
const spec = {
  subject,
  transport,
  kind: 'transactions',
  account: ACCOUNT,
  events,
  warmup: 20_000,
  httpUrl: servers.httpUrl,
  wsUrl: servers.wsUrl,
}
const before = new Set(readdirSync(dir))
const child = new URL('./ingest-child.mjs', import.meta.url).pathname
// The child runs asynchronously so the servers in this process keep serving.
await new Promise((resolve, reject) => {
  execFile(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, child, JSON.stringify(spec)],
    (error, stdout) => (error ? reject(error) : resolve(process.stdout.write(stdout))),
  )
})
await servers.close()

const file = readdirSync(dir).find((name) => !before.has(name))
const profile = JSON.parse(readFileSync(`${dir}${file}`, 'utf8'))
const self = new Map()
const dt = profile.timeDeltas
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const ticks = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  ticks.set(profile.samples[i], (ticks.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0))
}
let total = 0
for (const [id, us] of ticks) {
  const { callFrame } = byId.get(id)
  const where = callFrame.url.replace(/^.*\/(packages|node_modules)\//, '$1/')
  const key = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + us)
  total += us
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)
for (const [key, us] of top) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)
console.log(`profile: ${dir}${file}`)
