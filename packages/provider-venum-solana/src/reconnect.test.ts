import { isChainstreamError } from '@chainstream/core'
import { createSseServer } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { FAST_RECONNECT, record, setup, sig, until } from './venum-test-kit.test-helper.js'

const order = ['landed', 'processed', 'confirmed', 'finalized']
const inTierOrder = (statuses: string[]) =>
  statuses.every((s, i) => i === 0 || order.indexOf(s) > order.indexOf(statuses[i - 1] ?? ''))

describe('venum.watch: reconnects', () => {
  it('a drop in the middle loses no terminal update and repeats none', async () => {
    const { sim, venum } = await setup({
      seed: 11,
      lifecycles: { success: 7, failure: 2, 'verify-timeout': 1 },
      timeScale: 0.5,
    })
    const signatures = Array.from({ length: 10 }, (_, i) => sig(100 + i))
    sim.dropAfter(25) // the first stream dies after its 25th event, halfway through the lifecycles
    const watch = venum.watch({ signatures })
    const seen = record(watch)
    const reconnects: string[] = []
    watch.on('error', (e) => reconnects.push(e.code))
    expect(await watch.closed).toBeUndefined()

    expect(reconnects).toContain('ConnectionClosed')
    expect(sim.streamRequests.length).toBeGreaterThanOrEqual(2)
    // The reconnect asked only for signatures that had not ended yet.
    const secondAt = sim.streamRequests[1]?.at ?? 0
    const endedBeforeDrop = new Set(
      seen.updates.filter((u) => u.done && u.ts !== undefined && u.ts < secondAt).map((u) => u.signature),
    )
    expect(endedBeforeDrop.size).toBeGreaterThan(0)
    const second = sim.streamRequests[1]?.signatures ?? []
    expect(second.length).toBeLessThan(10)
    for (const s of second) expect(signatures).toContain(s)
    for (const s of signatures) {
      const updates = seen.of(s)
      const terminal = updates.filter((u) => u.done)
      expect(terminal, s).toHaveLength(1)
      const expected = { success: 'finalized', failure: 'failed', 'verify-timeout': 'verify-timeout' }[
        sim.lifecycleOf(s) as 'success'
      ]
      expect(terminal[0]?.status, s).toBe(expected)
      expect(updates.at(-1)?.done).toBe(true)
      // Never twice, never backwards.
      const tiers = updates.filter((u) => order.includes(u.status)).map((u) => u.status)
      expect(new Set(tiers).size).toBe(tiers.length)
      expect(inTierOrder(tiers), `${s}: ${tiers}`).toBe(true)
    }
    for (const s of second) expect(endedBeforeDrop.has(s)).toBe(false)
  })

  it('heartbeat watchdog: silence well beyond the interval → reconnect, then a snapshot closes the gap', async () => {
    const { sim, venum } = await setup(
      { heartbeatIntervalMs: 20, catchUp: false },
      { heartbeatTimeoutMs: 150 },
    )
    const [a, b, c] = [sig(1), sig(2), sig(3)]
    for (const s of [a, b, c]) sim.addSignature(s)
    const watch = venum.watch({ signatures: [a, b, c] })
    const seen = record(watch)
    await watch.ready
    // Let the first snapshot (nothing found yet) finish, so only the reconnect's snapshot can close the gap.
    await until(() => sim.restRequests.length === 3)
    await new Promise((r) => setTimeout(r, 30))
    for (const s of [a, b, c]) sim.advance(s, 'landed')
    sim.advance(a, 'finalized')
    await until(() => seen.updates.length === 6)
    // A half-open connection: the server thinks it sends; nothing arrives, not even heartbeats.
    sim.stallStreams()
    sim.advance(b, 'finalized')
    sim.advance(c, 'confirmed')
    const errors: string[] = []
    watch.on('error', (e) => errors.push(e.code))
    await until(() => sim.streamRequests.length === 2)
    await until(() => seen.of(c).some((u) => u.status === 'confirmed') && seen.of(b).some((u) => u.done))
    expect(errors).toContain('HeartbeatTimeout')
    // Only the signatures that had not ended, and a new snapshot of them.
    expect([...(sim.streamRequests[1]?.signatures ?? [])].sort()).toEqual([b, c].sort())
    expect(seen.of(b).at(-1)).toMatchObject({ status: 'finalized', source: 'snapshot', done: true })
    expect(seen.of(c).map((u) => [u.status, u.source])).toEqual([
      ['landed', 'stream'],
      ['confirmed', 'snapshot'],
    ])
    sim.advance(c, 'finalized')
    await watch.closed
    expect(seen.statuses(c)).toEqual(['landed', 'confirmed', 'finalized'])
    expect(seen.statuses(a)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
  })

  it('429: backs off for at least Retry-After, then gets its stream', async () => {
    const { sim, venum } = await setup({ maxStreamsPerKey: 1, retryAfterSeconds: 1 }, { maxStreams: 2 })
    const signatures = Array.from({ length: 11 }, (_, i) => sig(i))
    for (const s of signatures) sim.addSignature(s)
    const watch = venum.watch({ signatures })
    const errors: { code: string; retryAfterMs: number | undefined }[] = []
    watch.on('error', (e) => errors.push({ code: e.code, retryAfterMs: e.retryAfterMs }))
    await until(() => sim.streamRequests.some((r) => r.status === 429))
    const refusedAt = sim.streamRequests.find((r) => r.status === 429)?.at ?? 0
    // Free the one allowed connection: the first stream completes.
    for (const s of sim.streamRequests.find((r) => r.status === 200)?.signatures ?? [])
      sim.advance(s, 'finalized')
    await until(() => sim.streamRequests.filter((r) => r.status === 200).length === 2, 5_000)
    const retriedAt = sim.streamRequests.filter((r) => r.status === 200)[1]?.at ?? 0
    expect(retriedAt - refusedAt).toBeGreaterThanOrEqual(950)
    expect(errors[0]).toEqual({ code: 'ConnectionLimit', retryAfterMs: 1000 })
    for (const s of signatures) sim.advance(s, 'finalized')
    expect(await watch.closed).toBeUndefined()
  })

  it('401 is fatal and typed: no retries, a message that says what to fix and never shows the key', async () => {
    const { sim } = await setup()
    const key = 'definitely-not-a-valid-key-123'
    const venum = createVenum({ apiKey: key, baseUrl: sim.url, reconnect: FAST_RECONNECT })
    const watch = venum.watch({ signatures: [sig(1)] })
    await expect(watch.ready).rejects.toMatchObject({ code: 'Unauthorized', isRetryable: false })
    const error = await watch.closed
    expect(isChainstreamError(error, 'Unauthorized')).toBe(true)
    expect(error?.message).toMatch(/check the apiKey/)
    expect(JSON.stringify(error)).not.toContain(key)
    await new Promise((r) => setTimeout(r, 100))
    expect(sim.streamRequests).toHaveLength(1)
    await expect(venum.waitFor(sig(1), 'confirmed')).rejects.toMatchObject({ code: 'Unauthorized' })
    await expect(venum.status(sig(1))).rejects.toMatchObject({ code: 'Unauthorized', status: 401 })
  })
})

describe('venum.watch: fatal 400', () => {
  const servers: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it('400 is fatal and typed InvalidSubscription, with what to check', async () => {
    const server = await createSseServer()
    servers.push(server)
    server.handle((conn) => conn.respond(400, { error: 'invalid event name: landed' }))
    const venum = createVenum({ apiKey: 'k-123456', baseUrl: server.url, reconnect: FAST_RECONNECT })
    const watch = venum.watch({ signatures: [sig(1)] })
    const error = await watch.closed
    expect(error).toMatchObject({ code: 'InvalidSubscription', isRetryable: false, status: 400 })
    expect(error?.message).toMatch(/invalid event name: landed.*events/)
    expect(server.requests).toHaveLength(1)
  })
})
