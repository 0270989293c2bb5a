import { isChainstreamError, type LifecycleUpdate } from '@chainstream/core'
import { createTonSimulator } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import type { TonEvent } from '../ton-event.js'
import { createToncenter } from '../toncenter.js'
import {
  FAST,
  KEY,
  lifecycleHarness,
  subscribeOperations,
  until,
  updatesOf,
} from './lifecycle-test-kit.test-helper.js'
import { TonTraceFailure } from './trace-outcome.js'

const harness = lifecycleHarness()
afterEach(() => harness.cleanup())

/** Marks a promise as handled now (it may reject while the test awaits something else); returns it. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

const tiers = (updates: LifecycleUpdate[]) => updates.map((u) => u.tier)
const terminalsIn = (updates: LifecycleUpdate[]) => updates.filter((u) => u.terminal !== undefined)

describe('TON lifecycle source (createToncenter(...).lifecycle) with the tracker', () => {
  it('tracks a trace from pending to finalized: three updates in tier order, one terminal, reached(confirmed) resolves', async () => {
    const { sim, tracker, subscribed, terminals } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    const updates = updatesOf(tx)
    const confirmed = handled(tx.reached('confirmed'))
    await subscribed([trace.traceExternalHashNorm])

    await trace.advance()
    await until(() => updates.length === 1)
    await trace.advance()
    const reached = await confirmed
    expect(reached).toMatchObject({ tier: 'confirmed', outcome: 'success', providerStatus: 'confirmed' })
    await trace.advance()
    const terminal = await tx.settled()

    expect(tiers(updates)).toEqual(['pending', 'confirmed', 'finalized'])
    expect(updates.map((u) => u.outcome)).toEqual(['unknown', 'success', 'success'])
    expect(updates.map((u) => u.providerStatus)).toEqual(['pending', 'confirmed', 'finalized'])
    expect(updates.every((u) => u.source === 'stream')).toBe(true)
    expect(terminalsIn(updates)).toHaveLength(1)
    expect(terminal).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'success', chain: 'ton' })
    expect(Object.keys(terminal.tierReachedAt)).toEqual(
      expect.arrayContaining(['pending', 'confirmed', 'finalized']),
    )
    const data = terminal.data as TonEvent<'trace'>
    expect(data).toMatchObject({ type: 'trace', finality: 'finalized', source: 'stream' })
    expect(data.trace_external_hash_norm).toBe(trace.traceExternalHashNorm)
    expect(terminals.get(trace.traceExternalHashNorm)).toBe(1)
    expect(tracker.size).toBe(0)
  })

  it('a failing trace: outcome failure, reached() rejects TransactionFailed, terminal finalized with outcome failure', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b], failed: true })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    const updates = updatesOf(tx)
    const confirmed = handled(tx.reached('confirmed'))
    await subscribed([trace.traceExternalHashNorm])

    await trace.advance()
    const error = await confirmed.catch((e: unknown) => e)
    expect(isChainstreamError(error, 'TransactionFailed')).toBe(true)
    // Seen in the pending snapshot: recorded, not terminal.
    expect(updates[0]).toMatchObject({ tier: 'pending', outcome: 'failure' })
    expect(updates[0]?.terminal).toBeUndefined()
    expect(tx.ended).toBe(false)

    await trace.finish()
    const terminal = await tx.settled()
    expect(terminal).toMatchObject({ tier: 'finalized', outcome: 'failure', terminal: { kind: 'finalized' } })
    expect(terminal.error).toBeInstanceOf(TonTraceFailure)
    const failure = terminal.error as TonTraceFailure
    expect(failure.failures[0]).toMatchObject({ aborted: true, exitCode: 9 })
    expect((error as Error).cause).toBeInstanceOf(TonTraceFailure)
    expect(terminalsIn(updates)).toHaveLength(1)
    expect(tiers(updates)).toEqual(['pending', 'confirmed', 'finalized'])
  })

  it('an invalidated trace: terminal invalidated, reached() rejects TransactionInvalidated', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'invalidated'] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    const updates = updatesOf(tx)
    const finalized = handled(tx.reached('finalized'))
    await subscribed([trace.traceExternalHashNorm])

    await trace.finish()
    await expect(finalized).rejects.toMatchObject({ code: 'TransactionInvalidated' })
    expect(tx.current).toMatchObject({
      tier: 'confirmed',
      terminal: { kind: 'invalidated' },
      providerStatus: 'trace_invalidated',
      source: 'stream',
    })
    expect(tiers(updates)).toEqual(['pending', 'confirmed', 'confirmed'])
    expect(terminalsIn(updates)).toHaveLength(1)
    await expect(tx.settled()).resolves.toMatchObject({ terminal: { kind: 'invalidated' } })
  })

  it('a drop during tracking: traces still end correctly, including one invalidated during the gap', async () => {
    // One connection per key, and the server holds a dropped session for 300 ms: a guaranteed gap.
    const { sim, tracker, subscribed, terminals } = await harness.start({
      sim: { keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 },
    })
    const [a, b] = sim.addresses as [string, string]
    const settling = sim.emitTrace({ addresses: [a, b] })
    const doomed = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
    const [txA, txB] = tracker.trackMany([
      { chain: 'ton', id: settling.traceExternalHashNorm },
      { chain: 'ton', id: doomed.traceExternalHashNorm },
    ]) as [ReturnType<typeof tracker.track>, ReturnType<typeof tracker.track>]
    const updatesA = updatesOf(txA)
    await subscribed([settling.traceExternalHashNorm, doomed.traceExternalHashNorm])
    await settling.advance()
    await doomed.advance()
    await until(() => txA.current.tier === 'pending' && txB.current.tier === 'pending')

    sim.dropConnections()
    await settling.advance() // confirmed — missed
    await doomed.advance() // invalidated — never sent to the new connection
    expect(sim.connections.active).toBe(0)

    // The snapshot after the reconnect finds both.
    const invalidated = await txB.settled()
    expect(invalidated).toMatchObject({ terminal: { kind: 'invalidated' }, source: 'snapshot' })
    await until(() => txA.current.tier === 'confirmed')
    expect(txA.current).toMatchObject({ outcome: 'success', source: 'snapshot', providerStatus: 'confirmed' })
    await expect(txB.reached('pending')).rejects.toMatchObject({ code: 'TransactionInvalidated' })

    await settling.advance() // finalized, live on the new connection
    expect(await txA.settled()).toMatchObject({ terminal: { kind: 'finalized' }, source: 'stream' })
    expect(tiers(updatesA)).toEqual(['pending', 'confirmed', 'finalized'])
    expect([...terminals.values()]).toEqual([1, 1])
    expect(sim.sessions.filter((s) => s.transport === 'ws')).toHaveLength(2)
  })

  it.each(['sse', 'websocket'] as const)(
    '%s: looks a trace up again once API v3 answers, when its snapshots failed and it settled unseen during a drop',
    async (transport) => {
      // Reconciliation off: only the watch's own re-checks can find it.
      const { sim, tracker, subscribed } = await harness.start({
        lifecycle: { reconcileAfterMs: 0, transport },
      })
      const [a, b] = sim.addresses as [string, string]
      const trace = sim.emitTrace({ addresses: [a, b] })
      await trace.advance() // pending, before it is tracked
      sim.failNext({ status: 503, on: 'v3', times: Number.MAX_SAFE_INTEGER })
      const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
      // Confirmed before the server has the subscription: the stream never sends it, and its recovery
      // owes nothing from before the subscription.
      await trace.advance()
      await subscribed([trace.traceExternalHashNorm])
      await until(() => (sim.v3Calls.traces ?? 0) > 0, 2_000, 'the first snapshot')

      // The reconnect is refused a few times: a gap, whatever the transport.
      sim.failNext({ status: 503, on: transport === 'sse' ? 'sse' : 'ws', times: 3 })
      sim.dropConnections()
      await until(() => sim.connections.active === 0, 2_000, 'the drop')
      await trace.advance() // finalized while no connection is there to hear it
      await until(() => sim.connections.active === 1, 2_000, 'the reconnect')
      const calls = sim.v3Calls.traces ?? 0
      await until(() => (sim.v3Calls.traces ?? 0) > calls, 2_000, 'the snapshot after the reconnect')
      // No session was ever sent anything of the trace: only API v3 can tell.
      const hash = trace.traceExternalHashNorm
      const sentOf = sim.sessions.flatMap((session) =>
        session.sent.filter(
          (m) => (m as { trace_external_hash_norm?: string }).trace_external_hash_norm === hash,
        ),
      )
      expect(sentOf).toEqual([])
      expect(tx.current.tier).toBe('unknown')

      sim.clearFaults('v3')
      const terminal = await Promise.race([
        tx.settled(),
        new Promise<undefined>((resolve) => setTimeout(resolve, 2_000, undefined)),
      ])
      expect(terminal).toMatchObject({ terminal: { kind: 'finalized' }, source: 'snapshot' })
    },
  )

  it('finds an invalidation the new connection is never told about, by re-checking held traces after a reconnect', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    await subscribed([trace.traceExternalHashNorm])
    await trace.advance()
    await until(() => tx.current.tier === 'pending')

    sim.dropConnections()
    await until(
      () => sim.sessions.length === 2 && sim.sessions[1]!.subscription.traceExternalHashNorms.length === 1,
    )
    const fresh = sim.sessions[1]!
    // Still pending after the reconnect, so nothing to report yet; invalidated only now.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(tx.ended).toBe(false)
    await trace.advance()

    const terminal = await tx.settled()
    expect(terminal).toMatchObject({ terminal: { kind: 'invalidated' }, source: 'snapshot' })
    // The server did not tell the new connection: the re-check did.
    expect(fresh.sent.some((m) => (m as { type?: string }).type === 'trace_invalidated')).toBe(false)
  })

  it("keeps re-checking a trace the new connection only knows from the stream's recovery, and finds its invalidation", async () => {
    // One connection per key, and the server holds a dropped session for 300 ms: the trace confirms in the gap.
    const { sim, toncenter, tracker, subscribed } = await harness.start({
      sim: { keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 300 },
    })
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'invalidated'] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    // An application stream of the same trace on the tracker's connection (same settings): it sees what
    // the connection's recovery delivers, and so shows when the watch has seen it too.
    const app = toncenter.stream({
      transport: 'websocket',
      types: ['trace'],
      traceExternalHashNorms: [trace.traceExternalHashNorm],
      minFinality: 'pending',
      reconnect: FAST.reconnect!, // the tracker's setting (see lifecycleHarness), so the same connection
    })
    const recovered: TonEvent[] = []
    app.on('event', (event) => {
      if (event.source === 'snapshot') recovered.push(event)
    })
    try {
      await subscribed([trace.traceExternalHashNorm])
      await app.waitSubscribed({ timeoutMs: 5_000 })
      await trace.advance()
      await until(() => tx.current.tier === 'pending')

      sim.dropConnections()
      await trace.advance() // confirmed — missed live
      // The recovery of the new connection delivers it: a snapshot the server never sent this connection.
      await until(
        () => recovered.some((e) => e.type === 'trace' && e.finality === 'confirmed'),
        3_000,
        'recovered',
      )
      expect(sim.sessions).toHaveLength(2)
      const fresh = sim.sessions[1]!
      await until(() => tx.current.tier === 'confirmed')
      await trace.advance() // invalidated — the server tells no one

      // The watch's re-check (every 200 ms here) finds it, long before the recovery's own (every 10 s).
      await until(() => tx.ended, 3_000, 'invalidation found')
      expect(tx.current).toMatchObject({ terminal: { kind: 'invalidated' }, source: 'snapshot' })
      expect(fresh.sent.some((m) => (m as { type?: string }).type === 'trace_invalidated')).toBe(false)
    } finally {
      await app.close()
    }
  })

  it('time-outs are soft (WaitTimeout, outcome unknown) and an abort never resolves', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const slow = sim.emitTrace({ addresses: [a, b] })
    const aborted = sim.emitTrace({ addresses: [a, b] })
    const other = sim.emitTrace({ addresses: [a, b] })
    const controller = new AbortController()
    const txSlow = tracker.track({ chain: 'ton', id: slow.traceExternalHashNorm, timeoutMs: 300 })
    const txAborted = tracker.track({
      chain: 'ton',
      id: aborted.traceExternalHashNorm,
      signal: controller.signal,
    })
    const txOther = tracker.track({ chain: 'ton', id: other.traceExternalHashNorm })
    await subscribed([slow.traceExternalHashNorm, aborted.traceExternalHashNorm, other.traceExternalHashNorm])

    // Soft time-out of the track.
    await slow.advance()
    const timeout = await txSlow.settled().catch((e: unknown) => e)
    expect(isChainstreamError(timeout, 'WaitTimeout')).toBe(true)
    expect((timeout as Error).message).toMatch(/UNKNOWN/)
    expect(txSlow.current).toMatchObject({ watch: 'timed_out', outcome: 'unknown', tier: 'pending' })
    expect(txSlow.current.terminal).toBeUndefined()

    // A per-call time-out ends only that wait.
    await expect(txOther.reached('finalized', { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'WaitTimeout',
    })
    expect(txOther.ended).toBe(false)

    // Abort, then the tier is reached: the wait still rejects.
    const wait = handled(txAborted.reached('confirmed'))
    controller.abort()
    await aborted.advance()
    await aborted.advance()
    await expect(wait).rejects.toMatchObject({ code: 'Aborted' })
    expect(txAborted.current.watch).toBe('aborted')
    await expect(txAborted.reached('pending')).rejects.toMatchObject({ code: 'Aborted' })

    await other.finish()
    expect(await txOther.settled()).toMatchObject({ terminal: { kind: 'finalized' } })
  })

  it('250 concurrent traces share ONE socket, are subscribed in one request, and each ends with exactly one terminal', async () => {
    const { sim, tracker, subscribed, terminals } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const traces = Array.from({ length: 250 }, (_, i) =>
      sim.emitTrace({
        addresses: [a, b],
        ...(i % 5 === 1 ? { failed: true } : {}),
        ...(i % 5 === 2 ? { stages: ['pending', 'invalidated'] as const } : {}),
        ...(i % 5 === 3 ? { stages: ['confirmed', 'finalized'] as const } : {}),
      }),
    )
    // One track() call each: the watch batches them.
    const txs = traces.map((trace) => tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm }))
    await subscribed(traces.map((t) => t.traceExternalHashNorm))
    expect(sim.sessions).toHaveLength(1)
    expect(subscribeOperations(sim.sessions[0]!.received)).toHaveLength(1)

    await Promise.all(traces.map((trace) => trace.finish()))
    const ends = await Promise.all(txs.map((tx) => tx.settled()))
    ends.forEach((end, i) => {
      if (i % 5 === 1) expect(end).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'failure' })
      else if (i % 5 === 2) expect(end.terminal?.kind).toBe('invalidated')
      else expect(end).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'success' })
    })
    expect(terminals.size).toBe(250)
    expect([...terminals.values()].every((n) => n === 1)).toBe(true)
    expect(sim.sessions).toHaveLength(1)
    expect(sim.requests.filter((r) => r.url.includes('/streaming/v2/'))).toHaveLength(1)
    expect(tracker.size).toBe(0)
    // Ended tracks leave the subscription (in batches, not one request per track).
    await until(() => sim.sessions[0]!.subscription.traceExternalHashNorms.length === 0)
    const unsubscribes = sim.sessions[0]!.received.filter((t) => t.includes('"unsubscribe"'))
    expect(unsubscribes.length).toBeGreaterThan(0)
    expect(unsubscribes.length).toBeLessThan(50)
  })

  it('sends the removals of ended tracks about once a second while others are tracked, and the last one at once', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const traces = Array.from({ length: 21 }, () => sim.emitTrace({ addresses: [a, b] }))
    const txs = traces.map((trace) => tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm }))
    await subscribed(traces.map((t) => t.traceExternalHashNorm))
    const session = sim.sessions[0]!
    const unsubscribes = () => session.received.filter((t) => t.includes('"unsubscribe"')).length
    const tracked = () => session.subscription.traceExternalHashNorms.length

    // Twenty tracks end one after another, each in a turn of its own: one unsubscribe per round trip before.
    const started = performance.now()
    for (let i = 1; i < traces.length; i++) {
      await traces[i]!.finish()
      await txs[i]!.settled()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const elapsedMs = performance.now() - started
    await until(() => tracked() === 1, 5_000)
    expect(unsubscribes()).toBeGreaterThan(0)
    expect(unsubscribes()).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1_000) + 1)

    // The last removal empties the set: it goes at once, so the stream idles on time.
    const lastEnded = performance.now()
    await traces[0]!.finish()
    await txs[0]!.settled()
    await until(() => tracked() === 0, 5_000)
    expect(performance.now() - lastEnded).toBeLessThan(900)
    expect(tracker.size).toBe(0)
  })

  it('an invalid id fails at track(), saying what a valid one looks like; url-safe and hex forms are accepted', async () => {
    const { sim, tracker } = await harness.start()
    let error: unknown
    try {
      tracker.track({ chain: 'ton', id: 'not-a-trace-hash' })
    } catch (e) {
      error = e
    }
    expect(isChainstreamError(error, 'InvalidArgument')).toBe(true)
    expect((error as Error).message).toContain('trace_external_hash_norm')
    expect((error as Error).message).toContain('64 hex digits')
    expect(() => tracker.track({ chain: 'ton', id: '' })).toThrow(/Invalid TON trace id/)
    expect(tracker.size).toBe(0)

    const canonical = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
    const urlSafe = tracker.track({ chain: 'ton', id: 'U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY' })
    const hex = Buffer.from(canonical, 'base64').toString('hex')
    expect(urlSafe.id).toBe(canonical)
    expect(tracker.track({ chain: 'ton', id: hex })).toBe(urlSafe)
    await until(() => sim.sessions.length === 1)
  })

  it('adds to a live WebSocket watch are batched into one subscribe, and their snapshot reports traces that moved before', async () => {
    const { sim, tracker, subscribed } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const first = sim.emitTrace({ addresses: [a, b] })
    tracker.track({ chain: 'ton', id: first.traceExternalHashNorm })
    await subscribed([first.traceExternalHashNorm])

    const done = sim.emitTrace({ addresses: [a, b] })
    await done.finish()
    const failedEarlier = sim.emitTrace({ addresses: [a, b], failed: true })
    await failedEarlier.finish()
    const waiting = sim.emitTrace({ addresses: [a, b] })
    await waiting.advance()
    const later = Array.from({ length: 20 }, () => sim.emitTrace({ addresses: [a, b] }))
    const txDone = tracker.track({ chain: 'ton', id: done.traceExternalHashNorm })
    const txFailed = tracker.track({ chain: 'ton', id: failedEarlier.traceExternalHashNorm })
    const txWaiting = tracker.track({ chain: 'ton', id: waiting.traceExternalHashNorm })
    const waitingUpdates: LifecycleUpdate[] = []
    txWaiting.on('update', (update) => waitingUpdates.push(update))
    for (const trace of later) tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    // `done` and `failedEarlier` may settle from their snapshot and leave the set at once: wait for the
    // traces that stay.
    await subscribed(
      [waiting, ...later].map((t) => t.traceExternalHashNorm),
      15_000,
    )
    expect(sim.sessions).toHaveLength(1)
    expect(subscribeOperations(sim.sessions[0]!.received)).toHaveLength(2)

    expect(await txDone.settled()).toMatchObject({
      terminal: { kind: 'finalized' },
      outcome: 'success',
      source: 'snapshot',
    })
    expect(await txFailed.settled()).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'failure' })
    await until(() => txWaiting.current.tier === 'pending')
    expect(txWaiting.current).toMatchObject({ source: 'snapshot', providerStatus: 'pending' })
    // The payload rides on the update (a track under way keeps none: see the tracker's `current`).
    expect(waitingUpdates).toHaveLength(1)
    expect(waitingUpdates[0]?.data).toMatchObject({ type: 'trace' })
    await waiting.finish()
    expect(await txWaiting.settled()).toMatchObject({ terminal: { kind: 'finalized' }, source: 'stream' })
  })

  it('closes an idle connection after the last track ended, and opens a new one for the next track', async () => {
    const { sim, tracker, subscribed } = await harness.start({ lifecycle: { idleTimeoutMs: 100 } })
    const [a, b] = sim.addresses as [string, string]
    const one = sim.emitTrace({ addresses: [a, b] })
    const tx = tracker.track({ chain: 'ton', id: one.traceExternalHashNorm })
    await subscribed([one.traceExternalHashNorm])
    await one.finish()
    await tx.settled()
    await until(() => sim.connections.active === 0, 3_000, 'idle close')
    expect(sim.sessions[0]!.subscription.traceExternalHashNorms).toEqual([])

    const two = sim.emitTrace({ addresses: [a, b] })
    const tx2 = tracker.track({ chain: 'ton', id: two.traceExternalHashNorm })
    await subscribed([two.traceExternalHashNorm])
    await two.finish()
    expect(await tx2.settled()).toMatchObject({ terminal: { kind: 'finalized' } })
    expect(sim.sessions).toHaveLength(2)
    await tracker.close()
    await until(() => sim.connections.active === 0, 3_000, 'closed')
  })

  it('over SSE, re-opens the request with the new set and the traces still end correctly', async () => {
    const { sim, tracker, subscribed } = await harness.start({ lifecycle: { transport: 'sse' } })
    const [a, b] = sim.addresses as [string, string]
    const one = sim.emitTrace({ addresses: [a, b] })
    const two = sim.emitTrace({ addresses: [a, b], failed: true })
    const tx1 = tracker.track({ chain: 'ton', id: one.traceExternalHashNorm })
    await subscribed([one.traceExternalHashNorm])
    await one.advance()
    const tx2 = tracker.track({ chain: 'ton', id: two.traceExternalHashNorm })
    await subscribed([one.traceExternalHashNorm, two.traceExternalHashNorm])
    expect(sim.sessions.map((s) => s.transport)).toEqual(['sse', 'sse'])
    expect(JSON.parse(String(sim.sessions[1]!.request.body))).toMatchObject({
      types: ['trace'],
      min_finality: 'pending',
      trace_external_hash_norms: [one.traceExternalHashNorm, two.traceExternalHashNorm],
    })
    await one.finish()
    await two.finish()
    expect(await tx1.settled()).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'success' })
    expect(await tx2.settled()).toMatchObject({ terminal: { kind: 'finalized' }, outcome: 'failure' })
  })

  it('a fatal stream error marks every tracked id errored and reaches the tracker as an error', async () => {
    const { sim, tracker, subscribed, errors } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    await subscribed([trace.traceExternalHashNorm])
    await trace.advance()
    await until(() => tx.current.tier === 'pending')

    sim.failNext({ status: 401, body: { error: 'API key does not exist' }, on: 'ws', times: 5 })
    sim.dropConnections()
    const error = await tx.settled().catch((e: unknown) => e)
    expect(isChainstreamError(error)).toBe(true)
    expect(tx.current).toMatchObject({ watch: 'errored', tier: 'pending', outcome: 'unknown' })
    expect(tx.current.terminal).toBeUndefined()
    expect(errors.some((e) => isChainstreamError(e, 'Unauthorized'))).toBe(true)
  })

  it('reports a malformed notification of a tracked trace as a diagnostic, never a crash', async () => {
    const { sim, tracker, subscribed, diagnostics } = await harness.start()
    const [a, b] = sim.addresses as [string, string]
    const trace = sim.emitTrace({ addresses: [a, b] })
    const tx = tracker.track({ chain: 'ton', id: trace.traceExternalHashNorm })
    await subscribed([trace.traceExternalHashNorm])
    await sim.broadcast({
      type: 'trace',
      finality: 'confirmed',
      trace_external_hash_norm: trace.traceExternalHashNorm,
      trace: { tx_hash: 'x', in_msg_hash: null, children: [] },
      transactions: 'not a map',
    })
    await until(() => diagnostics.length > 0)
    expect(diagnostics[0]).toMatchObject({ code: 'unknown-status' })
    expect(tx.current.tier).toBe('unknown')
    await trace.finish()
    expect(await tx.settled()).toMatchObject({ terminal: { kind: 'finalized' } })
  })

  it('is a v1 lifecycle source for chain ton, and its options are checked when the client is created', () => {
    const toncenter = createToncenter({ apiKey: KEY })
    expect(toncenter.lifecycle).toMatchObject({
      specificationVersion: 'v1',
      chain: 'ton',
      providerId: 'toncenter',
    })
    expect(() => createToncenter({ apiKey: KEY, lifecycle: { transport: 'grpc' as 'sse' } })).toThrow(
      /Invalid TON lifecycle options: transport/,
    )
    expect(() => createToncenter({ apiKey: KEY, lifecycle: { idelTimeoutMs: 5 } as never })).toThrow(
      /Invalid TON lifecycle options/,
    )
    expect(() => createToncenter({ apiKey: KEY, lifecycle: { reconnect: { factor: 0 } } })).toThrow(
      /reconnect policy/,
    )
  })

  it('leaves no timers or sockets behind once the tracker and the server are closed', async () => {
    const count = () => {
      const out: Record<string, number> = {}
      for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1
      return out
    }
    // Whatever an earlier test left to expire on its own is gone by now.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const before = count()
    const sim = await createTonSimulator({ keepaliveMs: 1_000, lingerMs: 0 })
    // Long timers, so that a leaked one would still be there when counted.
    const toncenter = createToncenter({
      apiKey: KEY,
      baseUrl: sim.toncenter.baseUrl,
      lifecycle: { ...FAST, recheckIntervalMs: 5_000, idleTimeoutMs: 5_000 },
    })
    const { createTracker } = await import('@chainstream/core')
    const tracker = createTracker({ providers: [toncenter] })
    const [a, b] = sim.addresses as [string, string]
    const traces = [sim.emitTrace({ addresses: [a, b] }), sim.emitTrace({ addresses: [a, b] })]
    const txs = traces.map((t) => tracker.track({ chain: 'ton', id: t.traceExternalHashNorm }))
    await until(() => sim.sessions[0]?.subscription.traceExternalHashNorms.length === 2)
    await traces[0]!.advance()
    await until(() => txs[0]!.current.tier === 'pending')
    // Counted before the drop: the snapshot after the reconnect may call API v3 before the new session shows.
    const calls = sim.v3Calls.pendingTraces ?? 0
    sim.dropConnections() // a reconnect, a snapshot and a pending re-check are under way
    await until(() => sim.sessions.length === 2)
    // The snapshot after the reconnect ran (and armed the re-check of the pending trace).
    await until(() => (sim.v3Calls.pendingTraces ?? 0) > calls)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await tracker.close()
    await sim.close()
    await until(
      () => {
        const after = count()
        return (
          (after.Timeout ?? 0) <= (before.Timeout ?? 0) &&
          (after.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0)
        )
      },
      1_500,
      'resources released',
    )
    expect(txs.every((tx) => tx.ended)).toBe(true)
  })
})
