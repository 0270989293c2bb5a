import { describe, expect, it } from 'vitest'
import { record, setup, sig, until } from './venum-test-kit.test-helper.js'

describe('503: polling fallback and back', () => {
  it('polls GET /v1/tx at a bounded rate while Venum answers 503, then returns to the stream', async () => {
    const { sim, venum } = await setup(
      { tierPolling: false },
      { pollIntervalMs: 40, maxPollsPerSecond: 50, unavailableRetryMs: 400 },
    )
    const [a, b] = [sig(1), sig(2)]
    for (const s of [a, b]) sim.addSignature(s)
    const watch = venum.watch({ signatures: [a, b] })
    const seen = record(watch)
    const errors: (number | undefined)[] = []
    watch.on('error', (e) => errors.push(e.status))
    await watch.ready // resolves once polling covers the signatures
    expect(sim.streamRequests[0]?.status).toBe(503)

    sim.advance(a, 'landed')
    sim.advance(a, 'processed')
    await until(() => seen.of(a).length === 1)
    expect(seen.of(a)[0]).toMatchObject({ status: 'processed', source: 'poll', tier: 'included' })
    expect(errors).toContain(503)

    // Bounded: two signatures every 40 ms at most 50/s → no more than ~25 lookups in half a second.
    const before = sim.restRequests.length
    const started = Date.now()
    await new Promise((r) => setTimeout(r, 500))
    const rate = ((sim.restRequests.length - before) * 1000) / (Date.now() - started)
    expect(rate).toBeLessThanOrEqual(55)
    expect(rate).toBeGreaterThan(5)

    // Venum comes back: the stream is tried again no sooner than unavailableRetryMs, and polling stops.
    sim.setTierPolling(true)
    await until(() => sim.streamRequests.some((r) => r.status === 200))
    const retries = sim.streamRequests.filter((r) => r.status === 503)
    expect((sim.streamRequests.at(-1)?.at ?? 0) - (retries.at(-1)?.at ?? 0)).toBeGreaterThanOrEqual(390)
    await until(() => sim.openStreams === 1)
    // The snapshot after `ready` (one lookup each), and at most a poll that was already under way…
    const streamAt = sim.streamRequests.at(-1)?.at ?? 0
    await until(() => sim.restRequests.filter((r) => r.at >= streamAt).length >= 2)
    await new Promise((r) => setTimeout(r, 100))
    // …then no more polling.
    const afterStream = sim.restRequests.length
    await new Promise((r) => setTimeout(r, 250))
    expect(sim.restRequests.length).toBe(afterStream)

    sim.advance(a, 'finalized')
    sim.advance(b, 'landed')
    sim.advance(b, 'confirmed')
    sim.advance(b, 'finalized')
    expect(await watch.closed).toBeUndefined()
    expect(seen.of(a).map((u) => [u.status, u.source])).toEqual([
      ['processed', 'poll'],
      ['confirmed', 'stream'],
      ['finalized', 'stream'],
    ])
    expect(seen.statuses(b)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(seen.of(b).every((u) => u.source === 'stream')).toBe(true)
  })

  it('finishes a signature from polling alone when the stream stays unavailable', async () => {
    const { sim, venum } = await setup(
      { tierPolling: false },
      { pollIntervalMs: 20, unavailableRetryMs: 60_000 },
    )
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)], events: ['landed', 'confirmed'] })
    const seen = record(watch)
    await watch.ready
    sim.advance(sig(1), 'confirmed')
    expect(await watch.closed).toBeUndefined()
    expect(seen.updates).toEqual([
      expect.objectContaining({ status: 'confirmed', source: 'poll', done: true }),
    ])
    expect(sim.streamRequests).toHaveLength(1)
  })
})

describe('REST: retries and typed answers', () => {
  it('retries 429, 502, 503 and 504 with jittered backoff honouring Retry-After', async () => {
    const { sim, venum } = await setup({}, { random: () => 0.05 })
    sim.addSignature(sig(1))
    sim.advance(sig(1), 'processed')
    sim.failNextRest({ status: 429, retryAfterSeconds: 0 }, 502, { status: 503, retryAfterSeconds: 0 }, 504)
    const status = await venum.status(sig(1))
    expect(status).toMatchObject({ status: 'confirmed', confirmationStatus: 'processed', tier: 'included' })
    expect(sim.restRequests.map((r) => r.status)).toEqual([429, 502, 503, 504, 200])
  })

  it('gives up after its attempts with the typed error, and never retries 401', async () => {
    const { sim, venum } = await setup({}, { random: () => 0 })
    sim.failNextRest(502, 502, 502, 502, 502)
    await expect(venum.status(sig(1))).rejects.toMatchObject({ code: 'HttpError', status: 502 })
    expect(sim.restRequests).toHaveLength(5)
  })

  it('a failed snapshot is reported and the stream carries on', async () => {
    const { sim, venum } = await setup({}, { random: () => 0 })
    sim.addSignature(sig(1))
    sim.failNextRest(404)
    const watch = venum.watch({ signatures: [sig(1)] })
    const errors: string[] = []
    watch.on('error', (e) => errors.push(e.message))
    await watch.ready
    await until(() => errors.length === 1)
    expect(errors[0]).toMatch(/snapshot of 1 of 1 signatures failed/)
    sim.advance(sig(1), 'finalized')
    expect(await watch.closed).toBeUndefined()
  })
})
