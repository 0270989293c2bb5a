import { createTracker, type LifecycleUpdate, type TrackedTransaction } from '@chainstream/core'
import type { VenumLifecycle } from '@chainstream/testkit'
import { describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { FAST_RECONNECT, record, setup, sig, until } from './venum-test-kit.test-helper.js'
import type { VenumUpdate } from './venum-update.js'

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => sig(from + i))
const TIERS = ['landed', 'processed', 'confirmed', 'finalized']
const RANK: Record<string, number> = { unknown: 0, pending: 1, included: 2, confirmed: 3, finalized: 4 }
const ENDING: Record<string, string> = {
  success: 'finalized',
  failure: 'failed',
  'verify-timeout': 'verify-timeout',
}

/** Per signature of a watch: its own updates only, each once, in tier order, exactly one terminal (the last). */
function expectOneStoryEach(
  updates: readonly VenumUpdate[],
  signatures: readonly string[],
  lifecycleOf: (signature: string) => VenumLifecycle | undefined,
): void {
  const own = new Set(signatures)
  expect(updates.filter((u) => !own.has(u.signature))).toEqual([])
  for (const s of signatures) {
    const mine = updates.filter((u) => u.signature === s)
    expect(
      mine.filter((u) => u.done),
      s,
    ).toHaveLength(1)
    expect(mine.at(-1)?.done, s).toBe(true)
    expect(mine.at(-1)?.status, s).toBe(ENDING[lifecycleOf(s) ?? 'success'])
    const tiers = mine.map((u) => TIERS.indexOf(u.status)).filter((rank) => rank >= 0)
    expect(
      tiers.every((rank, i) => i === 0 || rank > (tiers[i - 1] ?? -1)),
      `${s}: ${mine.map((u) => u.status)}`,
    ).toBe(true)
  }
}

/** Per tracked id: its own updates only, tiers never going down, exactly one terminal, the last. */
function expectOneTerminalEach(updates: readonly LifecycleUpdate[], ids: readonly string[]): void {
  const own = new Set(ids)
  expect(updates.filter((u) => !own.has(u.id))).toEqual([])
  for (const id of ids) {
    const mine = updates.filter((u) => u.id === id)
    expect(
      mine.filter((u) => u.terminal),
      id,
    ).toHaveLength(1)
    expect(mine.at(-1)?.terminal, id).toBeDefined()
    const ranks = mine.map((u) => RANK[u.tier] ?? -1)
    expect(
      ranks.every((rank, i) => i === 0 || rank >= (ranks[i - 1] ?? -1)),
      id,
    ).toBe(true)
  }
}

/** Waits for `confirmed`: resolved with the signature's own update, or rejected as its lifecycle says. */
async function expectWaitVerdicts(
  waits: readonly Promise<VenumUpdate>[],
  signatures: readonly string[],
  lifecycleOf: (signature: string) => VenumLifecycle | undefined,
): Promise<void> {
  const verdicts = await Promise.allSettled(waits)
  verdicts.forEach((verdict, i) => {
    const s = signatures[i] as string
    const lifecycle = lifecycleOf(s)
    if (lifecycle === 'success') {
      expect(verdict, s).toMatchObject({ status: 'fulfilled', value: { signature: s, outcome: 'success' } })
      expect(RANK[(verdict as PromiseFulfilledResult<VenumUpdate>).value.tier]).toBeGreaterThanOrEqual(3)
    } else {
      const code = lifecycle === 'failure' ? 'TransactionFailed' : 'WaitTimeout'
      expect(verdict, s).toMatchObject({ status: 'rejected', reason: { code } })
    }
  })
}

const trackerOf = (venum: Parameters<typeof createTracker>[0]['providers'][number]) => {
  const tracker = createTracker({ providers: [venum] })
  const updates: LifecycleUpdate[] = []
  tracker.on('update', (u) => updates.push(u))
  return { tracker, updates }
}

describe('one pool of streams per client, shared by watch, waitFor and the tracker', () => {
  it('25 waits, a watch of 30 and a tracker of 10 on one client: ceil(distinct / 10) streams, each consumer its own story', async () => {
    // Every ninth signature fails; three time out (Venum's verify-timeout: the outcome is unknown) — one
    // only waited for, one only watched, one both waited for and watched.
    const lifecycle = (s: string): VenumLifecycle => {
      const n = range(0, 55).indexOf(s)
      return n === 7 || n === 21 || n === 33 ? 'verify-timeout' : n % 9 === 4 ? 'failure' : 'success'
    }
    const { sim, venum } = await setup({ lifecycles: lifecycle, timeScale: 0.5 })
    const waited = range(0, 25)
    const watched = range(20, 50) // 20–24 are waited for too
    const tracked = range(45, 55) // 45–49 are watched too
    const distinct = new Set([...waited, ...watched, ...tracked])
    expect(distinct.size).toBe(55)
    const { tracker, updates: trackerUpdates } = trackerOf(venum)
    try {
      // One burst: every consumer starts before the first stream does.
      const waits = waited.map((s) => venum.waitFor(s, 'confirmed'))
      const watch = venum.watch({ signatures: watched })
      const seen = record(watch)
      const tracks: TrackedTransaction[] = tracker.trackMany(tracked.map((id) => ({ chain: 'solana', id })))

      await expectWaitVerdicts(waits, waited, lifecycle)
      expect(await watch.closed).toBeUndefined()
      const settled = await Promise.allSettled(tracks.map((t) => t.settled()))
      expect(settled.every((s) => s.status === 'fulfilled')).toBe(true)

      expectOneStoryEach(seen.updates, watched, lifecycle)
      expectOneTerminalEach(trackerUpdates, tracked)
      for (const [i, track] of tracks.entries()) {
        const failed = lifecycle(tracked[i] as string) === 'failure'
        expect(track.current, track.id).toMatchObject(
          failed ? { terminal: { kind: 'failed' }, outcome: 'failure' } : { terminal: { kind: 'finalized' } },
        )
      }

      // ceil(55 / 10) = 6 streams over the whole run, every tier asked for, and no signature on two of them.
      expect(sim.streamsOpened).toBe(Math.ceil(distinct.size / 10))
      expect(sim.streamRequests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
      const placed = sim.streamRequests.flatMap((r) => r.signatures)
      expect(placed).toHaveLength(distinct.size)
      expect(new Set(placed)).toEqual(distinct)
      expect(sim.streamRequests.every((r) => r.events.join() === TIERS.join())).toBe(true)
      // The watch rode the three streams that carry its 30 signatures, and nothing else.
      expect(watch.counters.streams).toBe(3)
      await until(() => sim.openStreams === 0)
    } finally {
      await tracker.close()
    }
  })

  it('overlapping consumers share one place: a watch and a wait on one signature ride one stream, and a later wait starts where that stream is', async () => {
    const { sim, venum } = await setup()
    const [s1, s2] = [sig(1), sig(2)]
    for (const s of [s1, s2]) sim.addSignature(s)
    const watch = venum.watch({ signatures: [s1, s2] })
    const finalized = venum.waitFor(s1, 'finalized')
    const seen = record(watch)
    await watch.ready
    expect(sim.streamRequests.map((r) => r.signatures)).toEqual([[s1, s2]])
    // One snapshot per signature after `ready`, for every consumer of it.
    await until(() => sim.restRequests.length === 2)

    sim.advance(s2, 'landed')
    await until(() => seen.of(s2).length === 1)
    // A wait that comes later joins the stream and learns `landed` (which no lookup can show) from what
    // the stream said: no new stream, no lookup.
    await expect(venum.waitFor(s2, 'landed')).resolves.toMatchObject({
      signature: s2,
      status: 'landed',
      source: 'stream',
    })
    expect(sim.streamRequests).toHaveLength(1)
    expect(sim.restRequests).toHaveLength(2)

    sim.advance(s1, 'finalized')
    await expect(finalized).resolves.toMatchObject({ signature: s1, status: 'finalized' })
    // The waits are over and s1 is done; the watch still needs s2, so the stream stays.
    await new Promise((r) => setTimeout(r, 30))
    expect(sim.openStreams).toBe(1)
    sim.advance(s2, 'finalized')
    expect(await watch.closed).toBeUndefined()
    expect(seen.statuses(s1)).toEqual(TIERS)
    expect(seen.statuses(s2)).toEqual(TIERS)
    expect(sim.streamRequests).toHaveLength(1)
    await until(() => sim.openStreams === 0)
  })

  it('consumers with different targets share one stream, each ends its own story, and the signature leaves with the last', async () => {
    const { sim, venum } = await setup()
    const s1 = sig(1)
    sim.addSignature(s1)
    const landedOnly = venum.watch({ signatures: [s1], events: ['landed'] })
    const toConfirmed = venum.watch({ signatures: [s1], events: ['landed', 'confirmed'] })
    const processed = venum.waitFor(s1, 'processed')
    const seenLanded = record(landedOnly)
    const seenConfirmed = record(toConfirmed)
    await Promise.all([landedOnly.ready, toConfirmed.ready])
    expect(sim.streamRequests.map((r) => [r.signatures, r.events])).toEqual([[[s1], TIERS]])

    sim.advance(s1, 'landed')
    expect(await landedOnly.closed).toBeUndefined()
    expect(seenLanded.updates).toEqual([expect.objectContaining({ status: 'landed', done: true })])
    sim.advance(s1, 'processed')
    await expect(processed).resolves.toMatchObject({ status: 'processed', outcome: 'success' })
    expect(sim.openStreams).toBe(1)
    sim.advance(s1, 'confirmed')
    expect(await toConfirmed.closed).toBeUndefined()
    expect(seenConfirmed.statuses(s1)).toEqual(['landed', 'confirmed'])
    // Nobody needs it any more: the stream closes before Venum's `finalized`.
    await until(() => sim.openStreams === 0)
    expect(sim.streamRequests).toHaveLength(1)
  })

  it('a wait that joins while Venum ends its watcher (verify-timeout) is not ended by it: it gets a new place', async () => {
    let held: Promise<void> | undefined
    let release = () => {}
    let lookups = 0
    const holding = (async (input: string, init: Parameters<typeof fetch>[1]) => {
      if (new URL(input).pathname.startsWith('/v1/tx/')) {
        lookups++
        await held
      }
      return fetch(input, init)
    }) as never
    const { sim, venum } = await setup({}, { fetch: holding })
    const s1 = sig(1)
    sim.addSignature(s1)
    const watch = venum.watch({ signatures: [s1] })
    const seen = record(watch)
    await watch.ready
    await until(() => sim.restRequests.length === 1)

    // Venum gives up on s1; the final lookup is held while a wait comes in.
    held = new Promise((resolve) => {
      release = resolve
    })
    sim.advance(s1, 'verify-timeout')
    await until(() => lookups === 2)
    const late = venum.waitFor(s1, 'confirmed')
    release()
    expect(await watch.closed).toBeUndefined()
    expect(seen.of(s1)).toEqual([expect.objectContaining({ status: 'verify-timeout', done: true })])
    // The wait was not watching when Venum gave up: it rides a new stream, where Venum watches afresh.
    await until(() => sim.streamRequests.length === 2 && sim.openStreams === 1)
    expect(sim.streamRequests[1]?.signatures).toEqual([s1])
    sim.advance(s1, 'confirmed')
    await expect(late).resolves.toMatchObject({ signature: s1, status: 'confirmed' })
  })

  it('a consumer that closes takes only its own signatures off the stream: one another consumer still watches stays', async () => {
    const { sim, venum } = await setup()
    const [s1, s2, s3] = [sig(1), sig(2), sig(3)]
    for (const s of [s1, s2, s3]) sim.addSignature(s)
    const a = venum.watch({ signatures: [s1, s2] })
    const b = venum.watch({ signatures: [s2, s3] })
    const seenA = record(a)
    const seenB = record(b)
    await Promise.all([a.ready, b.ready])
    expect(sim.streamRequests.map((r) => [...r.signatures].sort())).toEqual([[s1, s2, s3].sort()])
    sim.advance(s2, 'landed')
    await until(() => seenA.of(s2).length === 1 && seenB.of(s2).length === 1)

    await a.close()
    expect(await a.closed).toBeUndefined()
    expect(sim.openStreams).toBe(1)
    sim.advance(s1, 'confirmed')
    sim.advance(s2, 'confirmed')
    await until(() => seenB.of(s2).length === 3)
    expect(seenA.updates.map((u) => [u.signature, u.status])).toEqual([[s2, 'landed']])
    expect(b.watching).toEqual([s2, s3])

    // A drop: the stream comes back with only what is still watched.
    sim.dropStreams()
    await until(() => sim.streamRequests.length === 2 && sim.openStreams === 1)
    expect([...(sim.streamRequests[1]?.signatures ?? [])].sort()).toEqual([s2, s3].sort())
    sim.advance(s2, 'finalized')
    sim.advance(s3, 'finalized')
    expect(await b.closed).toBeUndefined()
    expect(seenB.statuses(s2)).toEqual(TIERS)
    expect(seenB.statuses(s3)).toEqual(TIERS)
  })

  it('a drop in the middle loses nothing and repeats nothing, for the watch, the waits and the tracker alike', async () => {
    const lifecycle = (s: string): VenumLifecycle =>
      range(0, 25).indexOf(s) % 5 === 3 ? 'failure' : 'success'
    const { sim, venum } = await setup({ seed: 5, lifecycles: lifecycle, timeScale: 0.5 })
    const waited = range(0, 12)
    const watched = range(6, 20)
    const tracked = range(15, 25)
    // Each of the three streams dies after its 12th event, in the middle of the lifecycles.
    sim.dropAfter(12, 3)
    const { tracker, updates: trackerUpdates } = trackerOf(venum)
    try {
      const waits = waited.map((s) => venum.waitFor(s, 'confirmed'))
      const watch = venum.watch({ signatures: watched })
      const seen = record(watch)
      const drops: string[] = []
      watch.on('error', (e) => drops.push(e.code))
      const tracks = tracker.trackMany(tracked.map((id) => ({ chain: 'solana', id })))

      await expectWaitVerdicts(waits, waited, lifecycle)
      expect(await watch.closed).toBeUndefined()
      await Promise.allSettled(tracks.map((t) => t.settled()))
      expect(drops).toContain('ConnectionClosed')
      // Three streams placed all 25 signatures once each; the rest are their reconnects.
      const first = sim.streamRequests.slice(0, 3).flatMap((r) => r.signatures)
      expect(new Set(first)).toEqual(new Set(range(0, 25)))
      expect(first).toHaveLength(25)
      expect(sim.streamRequests.length).toBeGreaterThan(3)
      expectOneStoryEach(seen.updates, watched, lifecycle)
      expectOneTerminalEach(trackerUpdates, tracked)
    } finally {
      await tracker.close()
    }
    await until(() => sim.openStreams === 0)
  })

  it('a fatal error (401) reaches every consumer whose signatures rode the stream, once, without retries', async () => {
    const { sim } = await setup()
    const venum = createVenum({ apiKey: 'not-the-key-000', baseUrl: sim.url, reconnect: FAST_RECONNECT })
    const { tracker } = trackerOf(venum)
    try {
      const watch = venum.watch({ signatures: [sig(1), sig(2)] })
      const wait = venum.waitFor(sig(2), 'confirmed')
      const track = tracker.track({ chain: 'solana', id: sig(3) })
      await expect(watch.ready).rejects.toMatchObject({ code: 'Unauthorized' })
      expect(await watch.closed).toMatchObject({ code: 'Unauthorized' })
      await expect(wait).rejects.toMatchObject({ code: 'Unauthorized' })
      await expect(track.reached('confirmed')).rejects.toMatchObject({ code: 'Unauthorized' })
      await new Promise((r) => setTimeout(r, 50))
      expect(sim.streamRequests.map((r) => [r.status, [...r.signatures].sort()])).toEqual([
        [401, [sig(1), sig(2), sig(3)].sort()],
      ])
    } finally {
      await tracker.close()
    }
  })
})

describe('shared: false', () => {
  it('gives each watch streams of its own, asking for exactly its events; the waits share another set', async () => {
    const { sim, venum } = await setup({}, { shared: false })
    const s1 = sig(1)
    sim.addSignature(s1)
    const all = venum.watch({ signatures: [s1] })
    const some = venum.watch({ signatures: [s1], events: ['landed', 'confirmed'] })
    const wait = venum.waitFor(s1, 'confirmed')
    const seenAll = record(all)
    const seenSome = record(some)
    await Promise.all([all.ready, some.ready])
    await until(() => sim.openStreams === 3)
    expect(sim.streamRequests.map((r) => [r.signatures, r.events])).toEqual([
      [[s1], TIERS],
      [[s1], ['landed', 'confirmed']],
      [[s1], TIERS],
    ])
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const) sim.advance(s1, status)
    await expect(wait).resolves.toMatchObject({ signature: s1, tier: 'confirmed' })
    expect(await all.closed).toBeUndefined()
    expect(await some.closed).toBeUndefined()
    expect(seenAll.statuses(s1)).toEqual(TIERS)
    expect(seenSome.statuses(s1)).toEqual(['landed', 'confirmed'])
    expect(all.counters.streams).toBe(1)
    await until(() => sim.openStreams === 0)
  })
})
