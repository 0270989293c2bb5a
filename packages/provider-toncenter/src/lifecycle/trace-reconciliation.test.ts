import { createTracker, type LifecycleUpdate, type Tracker } from '@chainstream/core'
import { createTonSimulator, type TonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { slowLink } from '../recovery-audit.test-helper.js'
import { createToncenter } from '../toncenter.js'
import type { TonLifecycleOptions } from './lifecycle-options.js'
import { FAST, KEY, until } from './lifecycle-test-kit.test-helper.js'

const PAD = 'x'.repeat(64 * 1024)

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * A tracker whose TON stream reads through a link that can be stalled — a client that falls behind, as the
 * server sees it — while API v3 is reached directly. Two kinds of tracked traces: `seen` ones, delivered at
 * pending live (the connection is guarded on them: the server would send their invalidation there), and
 * `unseen` ones, never delivered before the stall.
 */
async function stalledReader(reconcileAfterMs: number, options: TonLifecycleOptions = {}) {
  const sim: TonSimulator = await createTonSimulator({ keepaliveMs: 1_000, lingerMs: 0 })
  cleanups.push(() => sim.close())
  const link = await slowLink(sim.url)
  cleanups.push(() => link.close())
  const toncenter = createToncenter({
    apiKey: KEY,
    baseUrl: link.url,
    v3BaseUrl: sim.toncenter.v3BaseUrl,
    lifecycle: { ...FAST, reconcileAfterMs, ...options },
  })
  const tracker: Tracker = createTracker({ providers: [toncenter] })
  cleanups.push(() => tracker.close())
  const terminals: LifecycleUpdate[] = []
  tracker.on('update', (update) => {
    if (update.terminal) terminals.push(update)
  })
  const [a, b] = sim.addresses as [string, string]
  const seen = Array.from({ length: 20 }, () => sim.emitTrace({ addresses: [a, b] }))
  const unseen = Array.from({ length: 10 }, () => sim.emitTrace({ addresses: [a, b] }))
  const all = [...seen, ...unseen]
  const tracks = tracker.trackMany(all.map((trace) => ({ chain: 'ton', id: trace.traceExternalHashNorm })))
  await until(
    () =>
      sim.sessions.some((session) =>
        all.every((trace) =>
          session.subscription.traceExternalHashNorms.includes(trace.traceExternalHashNorm),
        ),
      ),
    5_000,
    'subscribed',
  )
  // The snapshot after the subscribe (nothing to find yet) is done.
  await until(() => (sim.v3Calls.pendingTraces ?? 0) >= 1, 5_000, 'the snapshot')
  for (const trace of seen) await trace.advance()
  await until(() => tracks.slice(0, seen.length).every((tx) => tx.current.tier === 'pending'))

  // The reader stalls: the socket backs up, then the server's 64-frame buffer for this client fills.
  const session = sim.sessions.at(-1)!
  link.pause()
  for (let i = 0; !session.dropped.some((d) => d.type === 'padding'); i++) {
    if (i > 4_000) throw new Error('the server never dropped anything')
    await sim.broadcast({ type: 'padding', pad: PAD })
  }
  // Everything now is lost for this client: the seen traces' confirmed and finalized, all of the unseen.
  for (const trace of all) await trace.finish()
  const finals = new Set(
    session.dropped
      .filter((d) => d.type === 'trace' && d.finality === 'finalized')
      .map((d) => d.trace_external_hash_norm),
  )
  link.resume()
  return { sim, seen, unseen, tracks, terminals, finals, session }
}

describe('TON lifecycle reconciliation (what the server dropped for a slow reader)', () => {
  it('settles guarded and never-seen traces whose finalized notification was dropped, promptly and once', async () => {
    const { sim, seen, unseen, tracks, terminals, finals, session } = await stalledReader(300)
    // The fault happened: every trace lost its finalized notification.
    for (const trace of [...seen, ...unseen]) expect(finals.has(trace.traceExternalHashNorm)).toBe(true)

    const resumed = Date.now()
    await until(() => tracks.every((tx) => tx.ended), 8_000, 'every track settled')
    // A few periods of 300 ms and their look-ups (on a busy machine), not a time-out: these tracks have
    // none, and without reconciliation they never settle (the next test).
    expect(Date.now() - resumed).toBeLessThan(4_000)
    for (const tx of tracks) {
      expect(tx.current).toMatchObject({
        tier: 'finalized',
        outcome: 'success',
        terminal: { kind: 'finalized' },
      })
      expect(tx.current.source).toBe('reconciled')
      expect(terminals.filter((u) => u.id === tx.id)).toHaveLength(1)
    }
    expect(terminals).toHaveLength(tracks.length)
    // No reconnect took a snapshot: only the reconciliation could have found them.
    expect(sim.sessions).toHaveLength(1)
    expect(session.isClosed).toBe(false)
  })

  it('looks up at most reconcileMaxTraces per period, taking the due traces in turn', async () => {
    const { sim, tracks, terminals } = await stalledReader(300, { reconcileMaxTraces: 8 })
    const before = sim.requests.length
    await until(() => tracks.every((tx) => tx.ended), 8_000, 'every track settled')
    expect(terminals).toHaveLength(tracks.length)
    const lookups = sim.requests
      .slice(before)
      .map((request) => new URL(request.url, 'http://x'))
      .filter((url) => url.pathname.endsWith('/traces') || url.pathname.endsWith('/pendingTraces'))
    const hashes = (url: URL) =>
      url.searchParams.getAll(url.pathname.endsWith('/traces') ? 'msg_hash' : 'ext_msg_hash').length
    expect(lookups.length).toBeGreaterThan(0)
    for (const url of lookups) expect(hashes(url)).toBeLessThanOrEqual(8)
    // 30 due traces, 8 a period: four periods at least.
    expect(lookups.filter((url) => url.pathname.endsWith('/traces')).length).toBeGreaterThanOrEqual(4)
  })

  it('without it (reconcileAfterMs: 0) the same drops leave the tracks waiting', async () => {
    const { tracks, terminals, finals } = await stalledReader(0)
    expect(finals.size).toBe(tracks.length)
    // Ample time for the backlog to arrive and for a reconciliation to have run several periods.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(tracks.some((tx) => tx.ended)).toBe(false)
    expect(terminals).toHaveLength(0)
  })

  it('checks its options', () => {
    const attempt = (lifecycle: Record<string, unknown>) => () =>
      createToncenter({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9', lifecycle })
    expect(attempt({ reconcileAfterMs: -1 })).toThrow(/reconcileAfterMs/)
    expect(attempt({ reconcileMaxTraces: 0 })).toThrow(/reconcileMaxTraces/)
    expect(attempt({ reconcileMaxTraces: 1.5 })).toThrow(/reconcileMaxTraces/)
    expect(attempt({ reconcileAfterMs: 0, reconcileMaxTraces: 10 })).not.toThrow()
  })
})
