import { build } from 'esbuild'
const r = await build({ entryPoints: ['packages/chaos/src/schedule.ts'], bundle: true, write: false, format: 'esm', platform: 'node' })
const mod = await import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].text).toString('base64'))
const [from, to] = process.argv.slice(2).map(Number)
const hits = []
for (let seed = from; seed <= to; seed++) { const s = mod.scheduleFor(seed); if (s.v3Outage) hits.push(seed) }
console.log(hits.length, hits.slice(0, 40).join(' '))
