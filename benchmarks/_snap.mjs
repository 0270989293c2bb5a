import { readFileSync, unlinkSync } from 'node:fs'
import v8 from 'node:v8'
import { isMainThread, parentPort, Worker } from 'node:worker_threads'

if (!isMainThread) {
  const { createVenumSimulator } = await import('@chainstream/testkit')
  const sim = await createVenumSimulator({ timeScale: 0.05, maxStreamsPerKey: 1_000, record: false })
  parentPort.postMessage({ url: sim.url, apiKey: sim.apiKey })
} else {
  const { venumSignature } = await import('@chainstream/testkit')
  const { createVenum } = await import('@chainstream/provider-venum-solana')
  const w = new Worker(new URL(import.meta.url))
  const info = await new Promise((r) => w.once('message', r))
  const N = 10000
  function agg(file) {
    const snap = JSON.parse(readFileSync(file, 'utf8'))
    unlinkSync(file)
    const f = snap.snapshot.meta.node_fields
    const wd = f.length
    const types = snap.snapshot.meta.node_types[0]
    const out = new Map()
    for (let i = 0; i < snap.nodes.length; i += wd) {
      const type = types[snap.nodes[i]]
      const name = snap.strings[snap.nodes[i + 1]]
      const size = snap.nodes[i + 3]
      const k = type === 'object' || type === 'closure' ? `${type}:${name}` : type
      const e = out.get(k) ?? [0, 0]
      e[0] += size
      e[1]++
      out.set(k, e)
    }
    return out
  }
  const venum = createVenum({ apiKey: info.apiKey, baseUrl: info.url, maxStreams: 100 })
  const warm = venum.watch({ signatures: Array.from({ length: 1000 }, (_, i) => venumSignature(i, 2)) })
  await warm.closed
  const sigs = Array.from({ length: N }, (_, i) => venumSignature(i, 3))
  globalThis.gc()
  const a = agg(v8.writeHeapSnapshot())
  const venum2 =
    process.argv[3] === 'fresh'
      ? createVenum({ apiKey: info.apiKey, baseUrl: info.url, maxStreams: 100 })
      : venum
  const watch = venum2.watch({ signatures: sigs.join(',').split(',') })
  const tl = []
  const iv = setInterval(() => {
    globalThis.gc()
    tl.push(Math.round(v8.getHeapStatistics().used_heap_size / 1e6))
  }, 100)
  await new Promise((r) => setTimeout(r, Number(process.argv[2] ?? 300)))
  clearInterval(iv)
  console.log(tl.join(' '))
  globalThis.gc()
  const b = agg(v8.writeHeapSnapshot())
  const diff = [...b]
    .map(([k, [s, c]]) => [k, s - (a.get(k)?.[0] ?? 0), c - (a.get(k)?.[1] ?? 0)])
    .sort((x, y) => y[1] - x[1])
    .slice(0, 40)
  for (const [k, s, c] of diff)
    console.log(String(Math.round(s / N)).padStart(6), 'B/sig', String(c).padStart(7), k)
  console.log(watch.counters)
  process.exit(0)
}
