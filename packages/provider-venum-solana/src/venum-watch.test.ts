import { isChainstreamError } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import { record, setup, sig, until } from './venum-test-kit.test-helper.js'
import type { VenumUpdate } from './venum-update.js'

const done = (updates: VenumUpdate[]) => updates.filter((u) => u.done)

describe('venum.watch: statuses and events', () => {
  it('reports landed → processed → confirmed → finalized from the stream, with neutral tier and outcome', async () => {
    const { sim, venum } = await setup({ heartbeatIntervalMs: 10 })
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    const seen = record(watch)
    await watch.ready
    // `ready` → one snapshot per signature (not found yet: nothing to report).
    await until(() => sim.restRequests.length === 1)
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      sim.advance(sig(1), status)
    expect(await watch.closed).toBeUndefined()
    expect(
      seen.updates.map(({ status, tier, outcome, done, source }) => ({
        status,
        tier,
        outcome,
        done,
        source,
      })),
    ).toEqual([
      { status: 'landed', tier: 'pending', outcome: 'unknown', done: false, source: 'stream' },
      { status: 'processed', tier: 'included', outcome: 'success', done: false, source: 'stream' },
      { status: 'confirmed', tier: 'confirmed', outcome: 'success', done: false, source: 'stream' },
      { status: 'finalized', tier: 'finalized', outcome: 'success', done: true, source: 'stream' },
    ])
    expect(seen.updates[0]).toMatchObject({ slot: expect.any(Number), ts: expect.any(Number) })
    // Default events: every tier, so the stream does not end after `landed`.
    expect(sim.streamRequests).toHaveLength(1)
    expect(sim.streamRequests[0]?.events).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(sim.restRequests.map((r) => [r.signature, r.txStatus])).toEqual([[sig(1), 'not_found']])
    expect(watch.counters).toMatchObject({ updates: 4, streams: 1 })
  })

  it('reports failed with err and outcome failure as the one terminal update, never a success tier', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    const seen = record(watch)
    await watch.ready
    await until(() => sim.restRequests.length === 1)
    sim.advance(sig(1), 'landed')
    sim.advance(sig(1), 'failed')
    // Venum never sends a tier after `failed`; a stale or buggy one must not turn it into a success.
    sim.advance(sig(1), 'confirmed')
    await watch.closed
    expect(seen.statuses(sig(1))).toEqual(['landed', 'failed'])
    expect(seen.updates[1]).toMatchObject({
      status: 'failed',
      outcome: 'failure',
      err: 'InstructionError: [0, Custom(6001)]',
      done: true,
    })
  })

  it('ends verify-timeout with outcome unknown (not failure) after one last lookup', async () => {
    const { sim, venum } = await setup({ lifecycles: { 'verify-timeout': 1 }, timeScale: 0.2 })
    const watch = venum.watch({ signatures: [sig(1)] })
    const seen = record(watch)
    await watch.closed
    expect(seen.statuses(sig(1))).toEqual(['landed', 'verify-timeout'])
    expect(done(seen.updates)).toEqual([
      expect.objectContaining({ status: 'verify-timeout', outcome: 'unknown', tier: 'pending', done: true }),
    ])
    // The snapshot after `ready`, then the final check before reporting the time-out.
    expect(sim.restRequests).toHaveLength(2)
    expect(watch.lifecycle(sig(1))).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
    expect(watch.lifecycle(sig(1))?.terminal).toBeUndefined()
  })

  it('supports landed-only mode: done at landing, or timeout (outcome unknown) when the landing never came', async () => {
    // Venum's landed-only mode is what a watch's own streams ask for (`shared: false`).
    const { sim, venum } = await setup(
      { lifecycles: (s) => (s === sig(2) ? 'never-lands' : 'success'), timeScale: 0.2 },
      { shared: false },
    )
    const watch = venum.watch({ signatures: [sig(1), sig(2)], events: ['landed'] })
    const seen = record(watch)
    await watch.closed
    expect(sim.streamRequests[0]?.events).toEqual(['landed'])
    expect(seen.of(sig(1))).toEqual([
      expect.objectContaining({ status: 'landed', tier: 'pending', done: true }),
    ])
    expect(seen.of(sig(2))).toEqual([
      expect.objectContaining({ status: 'timeout', outcome: 'unknown', done: true }),
    ])
  })

  it('landed-only on shared streams: done at landing, or verify-timeout (outcome unknown) when the landing never came', async () => {
    const { sim, venum } = await setup({
      lifecycles: (s) => (s === sig(2) ? 'never-lands' : 'success'),
      timeScale: 0.2,
    })
    const watch = venum.watch({ signatures: [sig(1), sig(2)], events: ['landed'] })
    const seen = record(watch)
    await watch.closed
    // A shared stream asks for every tier, so that consumers with other targets can ride it too.
    expect(sim.streamRequests[0]?.events).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(seen.of(sig(1))).toEqual([
      expect.objectContaining({ status: 'landed', tier: 'pending', done: true }),
    ])
    expect(seen.of(sig(2))).toEqual([
      expect.objectContaining({ status: 'verify-timeout', outcome: 'unknown', tier: 'unknown', done: true }),
    ])
    expect(watch.lifecycle(sig(2))).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
  })

  it('a timed-out signature that did reach its tier is reported as reached (the final lookup resolves it)', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)], events: ['landed', 'confirmed'] })
    const seen = record(watch)
    await watch.ready
    sim.advance(sig(1), 'landed')
    await until(() => seen.updates.length === 1)
    // The chain reaches `confirmed` but Venum's watcher lags behind and gives up.
    sim.advance(sig(1), 'confirmed', { quiet: true })
    sim.advance(sig(1), 'verify-timeout')
    await watch.closed
    expect(seen.of(sig(1)).map(({ status, source, done }) => ({ status, source, done }))).toEqual([
      { status: 'landed', source: 'stream', done: false },
      { status: 'confirmed', source: 'snapshot', done: true },
    ])
  })

  it('an error event marks that one signature errored while the others carry on', async () => {
    const { venum } = await setup({
      lifecycles: (s) => (s === sig(1) ? 'setup-error' : 'success'),
      timeScale: 0.3,
    })
    const watch = venum.watch({ signatures: [sig(1), sig(2)] })
    const seen = record(watch)
    await watch.closed
    expect(seen.of(sig(1))).toEqual([
      expect.objectContaining({
        status: 'error',
        outcome: 'unknown',
        done: true,
        err: expect.stringContaining('watch_failed'),
      }),
    ])
    expect(seen.statuses(sig(2)).at(-1)).toBe('finalized')
    expect(watch.lifecycle(sig(1))?.watch).toBe('errored')
  })

  it('reports only the requested tiers, and ends each signature at the strongest one', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)], events: ['confirmed', 'landed'] })
    expect(watch.events).toEqual(['landed', 'confirmed'])
    const seen = record(watch)
    await watch.ready
    for (const status of ['landed', 'processed', 'confirmed'] as const) sim.advance(sig(1), status)
    await watch.closed
    // The shared stream asks Venum for every tier; the watch reports only its own.
    expect(sim.streamRequests[0]?.url).toContain('events=landed,processed,confirmed,finalized')
    expect(seen.statuses(sig(1))).toEqual(['landed', 'confirmed'])
    expect(seen.updates.at(-1)?.done).toBe(true)
  })

  it('delivers the same updates through for await as through listeners, and ends the loop when done', async () => {
    const { venum } = await setup({ timeScale: 0.2 })
    const watch = venum.watch({ signatures: [sig(1), sig(2)] })
    const seen = record(watch)
    const iterated: VenumUpdate[] = []
    for await (const update of watch) iterated.push(update)
    expect(iterated).toEqual(seen.updates)
    expect(done(iterated)).toHaveLength(2)
  })

  it('ignores heartbeats, duplicates and stale snapshots: tiers never go backwards', async () => {
    const { sim, venum } = await setup({ heartbeatIntervalMs: 5 })
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    const seen = record(watch)
    await watch.ready
    sim.advance(sig(1), 'landed')
    sim.advance(sig(1), 'confirmed')
    await until(() => seen.updates.length === 3)
    // A second stream on the same signature (a reconnect) repeats `confirmed`: silent.
    sim.dropStreams()
    await until(() => sim.streamRequests.length === 2 && sim.openStreams === 1)
    await new Promise((r) => setTimeout(r, 50))
    sim.advance(sig(1), 'finalized')
    await watch.closed
    expect(seen.statuses(sig(1))).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
  })
})

describe('venum.watch: listeners', () => {
  it('reports an update listener that throws as a retryable error and carries on delivering', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    watch.on('update', () => {
      throw new Error('boom')
    })
    const seen = record(watch)
    const errors: unknown[] = []
    watch.on('error', (error) => errors.push(error))
    await watch.ready
    await until(() => sim.restRequests.length === 1)
    for (const status of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      sim.advance(sig(1), status)
    await watch.closed
    // Every update still reaches the other listener; each throw is reported once.
    expect(seen.statuses(sig(1))).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect(errors).toHaveLength(4)
    const [first] = errors
    expect(isChainstreamError(first) && first.code).toBe('ProtocolError')
    expect(first).toMatchObject({
      message: "A 'update' listener threw: boom. The watch continues.",
      isRetryable: true,
      cause: expect.objectContaining({ message: 'boom' }),
    })
  })
})

describe('venum.watch: auth and validation', () => {
  it('sends the key in the x-api-key header by default, never in the URL', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    await until(() => sim.restRequests.length === 1)
    sim.advance(sig(1), 'finalized')
    await watch.closed
    expect(sim.requests.every((r) => r.headers['x-api-key'] === sim.apiKey)).toBe(true)
    expect(sim.requests.some((r) => r.url.includes(sim.apiKey))).toBe(false)
    expect(sim.streamRequests[0]?.auth).toBe('header')
    expect(sim.restRequests[0]?.auth).toBe('header')
  })

  it("puts the key in apiKey= with auth: 'query' (browser-only), and warns about it", async () => {
    const warnings: string[] = []
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} }
    const { sim, venum } = await setup({}, { auth: 'query', logger })
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    await until(() => sim.restRequests.length === 1)
    sim.advance(sig(1), 'finalized')
    await watch.closed
    expect(sim.streamRequests[0]?.auth).toBe('query')
    expect(sim.restRequests[0]?.auth).toBe('query')
    expect(sim.requests.every((r) => r.headers['x-api-key'] === undefined)).toBe(true)
    expect(warnings.join()).toMatch(/query/)
  })

  it('sends extra headers, and uses the given fetch for streams and lookups alike', async () => {
    const calls: string[] = []
    const counting = ((input: string, init: Parameters<typeof fetch>[1]) => {
      calls.push(new URL(input).pathname)
      return fetch(input, init)
    }) as never
    const { sim, venum } = await setup({}, { fetch: counting, headers: { 'x-client': 'quickstart' } })
    sim.addSignature(sig(1))
    const watch = venum.watch({ signatures: [sig(1)] })
    await until(() => sim.restRequests.length === 1)
    sim.advance(sig(1), 'finalized')
    await watch.closed
    expect(calls).toEqual(['/v1/stream/tx', `/v1/tx/${sig(1)}`])
    expect(sim.requests.every((r) => r.headers['x-client'] === 'quickstart')).toBe(true)
  })

  it('rejects bad signatures and event names client-side, before any request', async () => {
    const { sim, venum } = await setup()
    const cases: unknown[] = [
      { signatures: ['abc'] },
      { signatures: [`${sig(1).slice(0, -2)}0O`] }, // characters outside base58
      { signatures: [sig(1).slice(0, 60)] }, // too short
      { signatures: ['1'.repeat(87)] }, // base58 of the right length, but not 64 bytes
      { signatures: [] },
      { signatures: [sig(1)], events: ['included'] },
      { signatures: [sig(1)], events: [] },
    ]
    for (const options of cases) {
      let caught: unknown
      try {
        venum.watch(options as never)
      } catch (error) {
        caught = error
      }
      expect(isChainstreamError(caught, 'InvalidArgument'), JSON.stringify(options)).toBe(true)
    }
    expect(() => venum.watch({ signatures: [sig(1), 'nope', '0'.repeat(88), 'z'.repeat(88)] })).toThrow(
      /signatures\[1\] "nope" is 4 characters long.*signatures\[2\].*base58 alphabet.*signatures\[3\].*decodes to 65 bytes/,
    )
    await expect(venum.status('nope')).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(venum.waitFor('nope', 'confirmed')).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(sim.requests).toHaveLength(0)
  })

  it('rejects bad client options with InvalidArgument naming the field', async () => {
    const { createVenum } = await import('./create-venum.js')
    expect(() => createVenum({ apiKey: '' })).toThrow(/apiKey is empty/)
    expect(() => createVenum({ apiKey: 'k', maxStreams: 0 })).toThrow(/maxStreams/)
    expect(() => createVenum({ apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(/baseUrl/)
    expect(() => createVenum({ apiKey: 'k', auth: 'cookie' as never })).toThrow(/auth/)
    expect(() => createVenum({ apiKey: 'k', shared: 'no' as never })).toThrow(/shared must be true or false/)
    expect(() => createVenum({} as never)).toThrow(/apiKey is required/)
  })
})
