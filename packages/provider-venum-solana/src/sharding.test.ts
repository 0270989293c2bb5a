import { describe, expect, it } from 'vitest'
import { record, setup, sig, signaturesOf, until } from './venum-test-kit.test-helper.js'

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => sig(from + i))
const strictlyOrdered = (statuses: string[]) => {
  const order = ['landed', 'processed', 'confirmed', 'finalized']
  const ranks = statuses.map((s) => order.indexOf(s))
  return ranks.every((r, i) => i === 0 || r > (ranks[i - 1] ?? -1))
}

describe('venum.watch: sharding', () => {
  it('25 signatures → 3 streams of 10, 10 and 5; Venum closing them is completion, not a reconnect', async () => {
    const { sim, venum } = await setup({ timeScale: 0.3 })
    const signatures = range(0, 25)
    const watch = venum.watch({ signatures })
    const seen = record(watch)
    expect(await watch.closed).toBeUndefined()
    expect(sim.streamRequests.map((r) => r.status)).toEqual([200, 200, 200])
    expect(sim.streamRequests.map((r) => r.signatures.length)).toEqual([10, 10, 5])
    const requested = sim.streamRequests.flatMap((r) => r.signatures)
    expect(new Set(requested).size).toBe(25)
    expect([...requested].sort()).toEqual([...signatures].sort())
    for (const s of signatures) {
      // Intermediate tiers are best-effort (a snapshot read first may pass them); the end is not.
      expect(seen.statuses(s).at(-1)).toBe('finalized')
      expect(strictlyOrdered(seen.statuses(s))).toBe(true)
      expect(seen.of(s).filter((u) => u.done)).toHaveLength(1)
    }
    await until(() => sim.openStreams === 0)
  })

  it('respects maxStreams: the rest queue and get a stream as others complete', async () => {
    const { sim, venum } = await setup({}, { maxStreams: 2 })
    const signatures = range(0, 25)
    for (const s of signatures) sim.addSignature(s)
    const watch = venum.watch({ signatures })
    const seen = record(watch)
    await watch.ready
    expect(sim.openStreams).toBe(2)
    expect(sim.streamRequests).toHaveLength(2)
    // Finish the first stream's signatures: its slot goes to the queued ones.
    const first = sim.streamRequests[0]?.signatures ?? []
    for (const s of first) sim.advance(s, 'finalized')
    await until(() => sim.streamRequests.length === 3 && sim.openStreams === 2)
    expect(sim.streamRequests[2]?.signatures).toHaveLength(5)
    for (const s of signatures) sim.advance(s, 'finalized')
    await watch.closed
    expect(sim.streamRequests).toHaveLength(3)
    expect(seen.updates.filter((u) => u.done)).toHaveLength(25)
    // Every signature was on exactly one stream.
    expect(new Set(sim.streamRequests.flatMap((r) => r.signatures)).size).toBe(25)
  })

  it('shares maxStreams between the watches of one client, first come first served', async () => {
    // Watches with streams of their own (on shared streams, both signatures would ride one stream).
    const { sim, venum } = await setup({}, { maxStreams: 1, shared: false })
    for (const s of range(0, 2)) sim.addSignature(s)
    const a = venum.watch({ signatures: [sig(0)] })
    const b = venum.watch({ signatures: [sig(1)] })
    await a.ready
    await new Promise((r) => setTimeout(r, 50))
    expect(sim.streamRequests.map((r) => r.signatures)).toEqual([[sig(0)]])
    sim.advance(sig(0), 'finalized')
    await a.closed
    await until(() => sim.streamRequests.length === 2)
    sim.advance(sig(1), 'finalized')
    expect(await b.closed).toBeUndefined()
  })

  it('add/remove while streaming: re-shards without losing or repeating updates of the signatures that stay', async () => {
    const { sim, venum } = await setup()
    for (const s of range(0, 6)) sim.addSignature(s)
    const [a, b, c, d, e, f] = range(0, 6) as [string, string, string, string, string, string]
    const watch = venum.watch({ signatures: [a, b, c] })
    const seen = record(watch)
    await watch.ready
    sim.advance(a, 'landed')
    sim.advance(b, 'processed')
    await until(() => seen.updates.length === 3)

    // add: the stream has room, so a new one with all five is subscribed before the old one closes.
    const adding = watch.add([d, e, a])
    // Updates keep coming while the re-shard is under way.
    sim.advance(a, 'processed')
    sim.advance(c, 'landed')
    await adding
    expect(sim.streamRequests).toHaveLength(2)
    expect(signaturesOf(sim.streamRequests[1]?.url ?? '').sort()).toEqual([a, b, c, d, e].sort())
    await until(() => sim.openStreams === 1)

    // remove: no more updates for it; the stream stays for the others.
    await watch.remove([b])
    expect([...watch.watching].sort()).toEqual([a, c, d, e].sort())
    for (const s of [a, b, c, d, e]) sim.advance(s, 'confirmed')
    await until(() => seen.of(e).length === 3)

    // add when streams are full (or to a fresh set): a new stream.
    await watch.add([f])
    for (const s of [a, b, c, d, e, f]) sim.advance(s, 'finalized')
    expect(await watch.closed).toBeUndefined()

    expect(seen.statuses(a)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(seen.statuses(b)).toEqual(['landed', 'processed'])
    expect(seen.statuses(c)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    for (const s of [d, e])
      expect(seen.statuses(s)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(seen.statuses(f)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    for (const s of [a, c, d, e, f]) {
      expect(strictlyOrdered(seen.statuses(s))).toBe(true)
      expect(seen.of(s).filter((u) => u.done)).toHaveLength(1)
    }
  })

  it('closes a stream left with nothing to watch after remove, and ends the watch when nothing is left', async () => {
    const { sim, venum } = await setup()
    for (const s of range(0, 2)) sim.addSignature(s)
    const watch = venum.watch({ signatures: range(0, 2) })
    await watch.ready
    await watch.remove([sig(0)])
    expect(sim.openStreams).toBe(1)
    await watch.remove([sig(1)])
    expect(await watch.closed).toBeUndefined()
    await until(() => sim.openStreams === 0)
    await expect(watch.add([sig(3)])).rejects.toMatchObject({ code: 'Closed' })
  })
})
