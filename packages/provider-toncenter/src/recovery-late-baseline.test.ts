import type { TonSimulator, TonTraceHandle } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { audit, CLEAN, interceptFrames } from './recovery-audit.test-helper.js'
import {
  FAST_RECONNECT,
  type Recorded,
  record,
  settle,
  simulatorHarness,
  until,
} from './simulator.test-helper.js'
import type { TonStreamOptions } from './stream-options.js'
import { createToncenter } from './toncenter.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

const KEY = 'late-baseline-key-01'

/** Forgets every queued API v3 fault, so the next API v3 request is answered again. */
function bringApiV3Back(sim: TonSimulator): void {
  sim.clearFaults()
}

/** The chain time API v3's latest masterchain block shows. */
async function chainClock(sim: TonSimulator): Promise<number> {
  const response = await fetch(`${sim.toncenter.v3BaseUrl}/masterchainInfo`)
  return Number(((await response.json()) as { last: { gen_utime: string } }).last.gen_utime)
}

/** Waits (seconds of real time) until API v3's chain clock reaches `utime`. */
async function chainClockPast(sim: TonSimulator, utime: number): Promise<void> {
  const deadline = Date.now() + 15_000
  while ((await chainClock(sim)) < utime) {
    if (Date.now() > deadline) throw new Error(`the chain clock did not reach ${utime}`)
    await settle(100)
  }
}

/** Whether the stream has delivered the finalized transactions of a trace, by its hash. */
const finalizedIn =
  (seen: Recorded) =>
  (hash: string): boolean =>
    seen.events.some(
      (e) => e.type === 'transactions' && e.finality === 'finalized' && e.trace_external_hash_norm === hash,
    )

/** Whether the stream has delivered the finalized actions of a trace, by its hash. */
const actionsFinalizedIn =
  (seen: Recorded) =>
  (hash: string): boolean =>
    seen.events.some(
      (e) => e.type === 'actions' && e.finality === 'finalized' && e.trace_external_hash_norm === hash,
    )

/** The simulator drops the finalized `actions` frame of the traces put into the returned set (a slow reader). */
function dropFinalizedActionsOf(sim: TonSimulator): Set<string> {
  const dropped = new Set<string>()
  interceptFrames(sim, (frame) => {
    const { type, finality, trace_external_hash_norm: hash } = frame as Record<string, unknown>
    return type === 'actions' && finality === 'finalized' && dropped.has(hash as string) ? 'skip' : 'deliver'
  })
  return dropped
}

/** The simulator drops every frame of the traces put into the returned set, as it would for a slow reader. */
function dropTracesOf(sim: TonSimulator): Set<string> {
  const dropped = new Set<string>()
  interceptFrames(sim, (frame) => {
    const hash = (frame as { trace_external_hash_norm?: string }).trace_external_hash_norm
    return hash !== undefined && dropped.has(hash) ? 'skip' : 'deliver'
  })
  return dropped
}

/** A stream of `account`'s transactions and actions, reconnecting and re-checking fast. */
function openStream(
  baseUrl: string,
  transport: 'sse' | 'websocket',
  account: string,
  extra: Partial<TonStreamOptions> = {},
) {
  return harness.track(
    createToncenter({ apiKey: KEY, baseUrl }).stream({
      transport,
      types: ['transactions', 'actions'],
      addresses: [account],
      reconnect: FAST_RECONNECT,
      recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200 },
      ...extra,
    }),
  )
}

/** Drops the connection; once the stream is subscribed again, API v3 answers again. */
async function dropThenBringApiV3Back(sim: TonSimulator, stream: ReturnType<typeof openStream>) {
  const reconnects = stream.counters.reconnects
  sim.dropConnections()
  await until(() => stream.counters.reconnects > reconnects, 5_000, 'the reconnect')
  await stream.waitSubscribed({ timeoutMs: 5_000 })
  bringApiV3Back(sim)
}

/**
 * A stream opened while API v3 fails; one trace delivered live, then a drop (reconnects refused while the
 * dropped session lingers) in which another trace is committed; then API v3 answers again. The gap's trace
 * must be delivered, and nothing lost, doubled or out of order. Returns the simulator and what was seen.
 */
async function gapBeforeTheFirstBaseline(
  transport: 'sse' | 'websocket',
  simulator: Parameters<typeof harness.start>[0] = {},
) {
  const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 60_000, ...simulator })
  const [a, b] = sim.addresses as [string, string]
  sim.failNext({ status: 500, on: 'v3', times: 400 })
  const since = sim.ledger.mark()
  const stream = openStream(sim.toncenter.baseUrl, transport, a)
  const seen = record(stream)
  await stream.waitSubscribed({ timeoutMs: 5_000 })
  const finalized = finalizedIn(seen)

  const before = sim.emitTrace({ addresses: [a, b] })
  await before.finish()
  await until(() => finalized(before.traceExternalHashNorm), 5_000, 'the live trace')

  sim.dropConnections({ linger: true })
  const during = sim.emitTrace({ addresses: [a, b] })
  await during.finish()
  await settle(300)
  bringApiV3Back(sim)
  sim.clearLinger()

  await until(() => finalized(during.traceExternalHashNorm), 10_000, "the gap's trace")
  await settle(400)
  expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
  return { sim, seen }
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when the first baseline never completed`, () => {
    it('delivers the trace committed during a drop that came before the account had a baseline', async () => {
      // The stream is live on the account from its acknowledgement; the baseline (API v3) is what tells
      // recovery which traces predate the subscription. When API v3 is down until after a drop, the
      // baseline is taken on the next connection — after the gap — and must not count the gap's traces as
      // older than the subscription.
      await gapBeforeTheFirstBaseline(transport)
    })

    it('still recovers the gap when API v3 has neither /masterchainInfo nor /blocks', async () => {
      // A v3-compatible API without the endpoints a late baseline reads the chain's clock and blocks from:
      // the baseline falls back to the last live data before the drop (and says so) rather than failing
      // for ever.
      const { sim, seen } = await gapBeforeTheFirstBaseline(transport, {
        apiV3Without: ['masterchainInfo', 'blocks'],
      })
      expect(sim.v3Calls.masterchainInfo).toBeGreaterThan(0)
      expect(sim.v3Calls.blocks).toBeGreaterThan(0)
      const missing = seen.diagnostics.filter((d) => d.code === 'v3-endpoint-missing')
      expect(missing.map((d) => d.message.match(/has no (\S+):/)?.[1])).toEqual(
        expect.arrayContaining(['/masterchainInfo', '/blocks']),
      )
    })

    it('delivers a trace the drop lost that ended in the same second as the last live data', async () => {
      // Chain time has whole seconds: a notification lost in the drop came after the last one that
      // arrived, so at or after its time. A trace that ended in that very second must count as the
      // subscription's when the baseline is taken late — not as older than the account.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b, c] = sim.addresses as [string, string, string]
      const dropped = dropTracesOf(sim)
      sim.failNext({ status: 500, on: 'v3', times: 10_000 })
      const since = sim.ledger.mark()
      const stream = openStream(sim.toncenter.baseUrl, transport, a)
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const finalized = finalizedIn(seen)
      const endOf = (hash: string) => sim.ledger.trace(hash)?.endUtime

      // Two traces planned in a row whose ends fall in the same second: the later one is delivered live,
      // the earlier one (deeper, so it ends later than it began) is lost. Planned pairs that do not match
      // are never sent, so API v3 never shows them either.
      let pair: { live: TonTraceHandle; lost: TonTraceHandle } | undefined
      for (let i = 0; i < 20 && pair === undefined; i++) {
        const lost = sim.emitTrace({ addresses: [a, c], actionTypes: ['jetton_transfer'] })
        const live = sim.emitTrace({ addresses: [a, b] })
        if (endOf(lost.traceExternalHashNorm) === endOf(live.traceExternalHashNorm)) pair = { live, lost }
      }
      if (pair === undefined) throw new Error('the simulator planned no two traces ending in one second')
      const { live, lost } = pair
      await live.finish()
      await until(() => finalized(live.traceExternalHashNorm), 5_000, 'the live trace')
      dropped.add(lost.traceExternalHashNorm)
      await lost.finish()
      await settle(200)

      await dropThenBringApiV3Back(sim, stream)

      const hash = lost.traceExternalHashNorm
      await until(() => finalized(hash), 10_000, 'the trace the drop lost')
      await settle(400)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })

    it('delivers a trace that ended before the last live data but finalized in the drop', async () => {
      // A stream of finalized events sees nothing of a trace before it is final. The trace ended (confirmed)
      // before another one was delivered finalized, then finalized while the connection was down. Its end
      // is older than the last live data, yet it is the subscription's: the late baseline must not count it
      // as older than the account.
      const { sim, a, b, stream, seen, expectClean } = await openWhileApiV3Down(
        transport,
        { minFinality: 'finalized' },
        { keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 60_000 },
      )
      const finalized = finalizedIn(seen)

      const slow = sim.emitTrace({ addresses: [a, b] })
      await slow.advance()
      await slow.advance()
      const live = sim.emitTrace({ addresses: [a, b] })
      await live.finish()
      await until(() => finalized(live.traceExternalHashNorm), 5_000, 'the live trace')
      const endOf = (hash: string) => sim.ledger.trace(hash)?.endUtime ?? Number.NaN
      expect(endOf(slow.traceExternalHashNorm)).toBeLessThanOrEqual(endOf(live.traceExternalHashNorm))

      sim.dropConnections({ linger: true })
      await slow.finish()
      await settle(300)
      sim.clearLinger()
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => stream.counters.reconnects > 0, 5_000, 'the reconnect')
      bringApiV3Back(sim)

      await until(() => finalized(slow.traceExternalHashNorm), 10_000, 'the trace finalized in the drop')
      await expectClean('finalized')
    })

    it("delivers the gap's traces when the chain was more than a horizon past the drop by the time of the baseline", async () => {
      // API v3 is down until after a drop, and the account's traffic goes on while the stream is away:
      // when its baseline is finally taken, the account's clock is far more than a horizon past the last
      // live data. The baseline's window, and the backfill's (never before a baseline minus the horizon),
      // must reach back to that live data — not start a horizon before the clock, which left the gap's
      // first traces in neither window.
      const sim = await harness.start({ keys: { [KEY]: { maxConnections: 1 } }, lingerMs: 60_000 })
      const [a, b] = sim.addresses as [string, string]
      sim.failNext({ status: 500, on: 'v3', times: 10_000 })
      const since = sim.ledger.mark()
      const stream = openStream(sim.toncenter.baseUrl, transport, a, {
        recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200, horizonSeconds: 10 },
      })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const finalized = finalizedIn(seen)

      const before = sim.emitTrace({ addresses: [a, b] })
      await before.finish()
      await until(() => finalized(before.traceExternalHashNorm), 5_000, 'the live trace')

      sim.dropConnections({ linger: true })
      const gap: string[] = []
      // 1–3 s of chain time per trace: 20 traces put the account's clock well past the 10 s horizon.
      for (let i = 0; i < 20; i++) {
        const trace = sim.emitTrace({ addresses: [a, b] })
        gap.push(trace.traceExternalHashNorm)
        await trace.finish()
      }
      await settle(300)
      bringApiV3Back(sim)
      sim.clearLinger()

      await until(() => gap.every(finalized), 10_000, "the gap's traces")
      await settle(400)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })
  })
}

/** A simulator, and a stream of its first wallet opened while API v3 answers 502 to every request. */
async function openWhileApiV3Down(
  transport: 'sse' | 'websocket',
  extra: Partial<TonStreamOptions> = {},
  simulator: Parameters<typeof harness.start>[0] = { keys: { [KEY]: {} } },
) {
  const sim = await harness.start(simulator)
  const [a, b] = sim.addresses as [string, string]
  sim.failNext({ status: 502, on: 'v3', times: 10_000 })
  const since = sim.ledger.mark()
  const stream = openStream(sim.toncenter.baseUrl, transport, a, extra)
  const seen = record(stream)
  await stream.waitSubscribed({ timeoutMs: 5_000 })
  /** Nothing lost, doubled or out of order for the wallet since the stream opened. */
  const expectClean = async (minFinality: 'pending' | 'finalized' = 'pending') => {
    await settle(400)
    expect(audit(sim, seen.events, { account: a, minFinality, since })).toMatchObject(CLEAN)
  }
  return { sim, a, b, stream, seen, expectClean }
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when API v3 failed from the stream's start`, () => {
    // Nothing committed came live before the drop or the baseline, so recovery has no chain time of its own
    // for when the stream went live: the baseline reads the chain's clock (API v3 masterchainInfo) and
    // takes away the seconds that passed since.
    it('delivers the trace the server dropped before a drop, when nothing committed was ever seen', async () => {
      const { sim, a, b, stream, seen, expectClean } = await openWhileApiV3Down(transport)
      const dropped = dropTracesOf(sim)
      await settle(100)
      const missed = sim.emitTrace({ addresses: [a, b] })
      dropped.add(missed.traceExternalHashNorm)
      await missed.finish()
      await settle(200)

      await dropThenBringApiV3Back(sim, stream)

      await until(() => finalizedIn(seen)(missed.traceExternalHashNorm), 10_000, 'the dropped trace')
      await expectClean()
      expect(sim.v3Calls.masterchainInfo).toBeGreaterThan(0)
    })

    it('reconciliation delivers the trace the server dropped while the first baseline waited, with no drop', async () => {
      const { sim, a, b, stream, seen, expectClean } = await openWhileApiV3Down(transport, {
        reconcile: { everyMs: 200 },
      })
      const dropped = dropTracesOf(sim)
      await settle(100)
      const missed = sim.emitTrace({ addresses: [a, b] })
      dropped.add(missed.traceExternalHashNorm)
      await missed.finish()
      // Longer than a prompt baseline takes: the first one that completes reads the chain's clock.
      await settle(1_200)
      bringApiV3Back(sim)

      await until(() => finalizedIn(seen)(missed.traceExternalHashNorm), 10_000, 'the dropped trace')
      await expectClean()
      expect(stream.counters.reconnects).toBe(0)
    })

    it("reconciliation delivers a trace's finalized actions the server dropped, when its transactions arrived", async () => {
      // One type's finalized snapshot arriving live says nothing of another's: the server sends each, and a
      // slow reader's drop may lose one. The baseline must not count the trace as settled before the
      // subscription in every type because the live stream sent it finalized in one.
      const { sim, a, b, seen, expectClean } = await openWhileApiV3Down(transport, {
        reconcile: { everyMs: 200 },
      })
      const droppedActions = dropFinalizedActionsOf(sim)
      const trace = sim.emitTrace({ addresses: [a, b] })
      droppedActions.add(trace.traceExternalHashNorm)
      await trace.finish()
      await until(() => finalizedIn(seen)(trace.traceExternalHashNorm), 5_000, 'the live transactions')
      await settle(1_200)
      bringApiV3Back(sim)

      await until(() => actionsFinalizedIn(seen)(trace.traceExternalHashNorm), 10_000, 'the dropped actions')
      await expectClean()
    })

    it('the same for a trace that ended before the subscription and finalized after it', async () => {
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b] = sim.addresses as [string, string]
      const droppedActions = dropFinalizedActionsOf(sim)
      const trace = sim.emitTrace({ addresses: [a, b] })
      droppedActions.add(trace.traceExternalHashNorm)
      await trace.advance()
      // Until the chain's clock is well past the trace's end: it ended before the subscription.
      const ended = Math.max(...trace.transactions.map((tx) => tx.now))
      await chainClockPast(sim, ended + 4)
      sim.failNext({ status: 502, on: 'v3', times: 10_000 })
      const stream = openStream(sim.toncenter.baseUrl, transport, a, { reconcile: { everyMs: 200 } })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const since = sim.ledger.mark()
      await trace.finish()
      await until(() => finalizedIn(seen)(trace.traceExternalHashNorm), 5_000, 'the live transactions')
      await settle(1_200)
      bringApiV3Back(sim)

      await until(() => actionsFinalizedIn(seen)(trace.traceExternalHashNorm), 10_000, 'the dropped actions')
      await settle(400)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })

    it('reconciliation reaches back to the baseline, however far the chain went on while API v3 was down', async () => {
      // Runs while the accounts have no baseline cover none of them: the next window must not be measured
      // from the chain time seen meanwhile, or a trace dropped more than a horizon before it is never
      // looked for.
      const { sim, a, b, seen, expectClean } = await openWhileApiV3Down(transport, {
        reconcile: { everyMs: 100 },
        recovery: { notFoundGraceMs: 0, recheckIntervalMs: 200, horizonSeconds: 10 },
      })
      const dropped = dropTracesOf(sim)
      const missed = sim.emitTrace({ addresses: [a, b] })
      dropped.add(missed.traceExternalHashNorm)
      await missed.finish()
      // 1–3 s of chain time per trace: 20 traces put the chain well past the 10 s horizon.
      let last: TonTraceHandle | undefined
      for (let i = 0; i < 20; i++) {
        last = sim.emitTrace({ addresses: [a, b] })
        await last.finish()
      }
      const lastHash = (last as TonTraceHandle).traceExternalHashNorm
      await until(() => finalizedIn(seen)(lastHash), 5_000, 'the live traces')
      await settle(1_000)
      bringApiV3Back(sim)

      await until(() => finalizedIn(seen)(missed.traceExternalHashNorm), 10_000, 'the dropped trace')
      await expectClean()
    })

    it('still delivers nothing that settled seconds before the subscription', async () => {
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b] = sim.addresses as [string, string]
      const history = [sim.emitTrace({ addresses: [a, b] }), sim.emitTrace({ addresses: [b, a] })]
      for (const trace of history) await trace.finish()
      // Seconds of real time, until the indexer's clock is four seconds past the history (the estimate may
      // reach three seconds before the subscription): the simulator's virtual clock jumped ahead of real
      // time with the history, and the indexer follows at real speed.
      const ended = Math.max(...history.flatMap((trace) => trace.transactions.map((tx) => tx.now)))
      await chainClockPast(sim, ended + 4)
      const readings = sim.v3Calls.masterchainInfo ?? 0
      sim.failNext({ status: 502, on: 'v3', times: 10_000 })
      const since = sim.ledger.mark()
      const stream = openStream(sim.toncenter.baseUrl, transport, a, { reconcile: { everyMs: 200 } })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await settle(1_200)
      bringApiV3Back(sim)
      const read = () => (sim.v3Calls.masterchainInfo ?? 0) > readings
      await until(read, 5_000, "the baseline's reading of the chain clock")
      const after = sim.emitTrace({ addresses: [a, b] })
      await after.finish()
      await until(() => finalizedIn(seen)(after.traceExternalHashNorm), 5_000, 'the new trace')
      await settle(800)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
      const old = new Set(history.map((trace) => trace.traceExternalHashNorm))
      expect(
        seen.events.filter((e) => 'trace_external_hash_norm' in e && old.has(e.trace_external_hash_norm)),
      ).toEqual([])
    })
  })
}

/**
 * A stream of `a` with reconciliation, its first baseline done and a trace of `a` and `b` seen (so `b`'s
 * baseline has a clock); then API v3 fails and `update()` adds `b`. `drop` says which frames the simulator
 * drops (for the traces put into `sim.dropped`), as it would for a slow reader.
 */
async function addWhileApiV3Fails(transport: 'sse' | 'websocket', drop: (sim: TonSimulator) => Set<string>) {
  const started = await harness.start({ keys: { [KEY]: {} } })
  const [a, b, c] = started.addresses as [string, string, string]
  const sim = Object.assign(started, { dropped: drop(started) })
  const stream = openStream(sim.toncenter.baseUrl, transport, a, { reconcile: { everyMs: 200 } })
  const seen = record(stream)
  await stream.waitSubscribed({ timeoutMs: 5_000 })
  await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'the first baseline')
  await sim.emitTrace({ addresses: [a, b] }).finish()
  await settle(300)

  sim.failNext({ status: 502, on: 'v3', times: 10_000 })
  const since = sim.ledger.mark()
  const from = seen.events.length
  await stream.update({ addresses: [a, b] })
  await settle(300)
  /** Nothing lost, doubled or out of order for `b` since it was added. */
  const expectClean = async () => {
    await settle(400)
    const report = audit(sim, seen.events.slice(from), { account: b, minFinality: 'pending', since })
    expect(report).toMatchObject(CLEAN)
  }
  return { sim, b, c, seen, from, expectClean }
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when the baseline of an added account failed at first`, () => {
    it('delivers the traces the server dropped while the baseline waited for API v3 to come back', async () => {
      // update() adds an account; the stream is live on it from the acknowledgement, but API v3 fails the
      // baseline, which is taken again seconds later on the same connection. What the account did in
      // between is the subscription's: when the server dropped those notifications (a slow reader),
      // reconciliation must bring them, not count them as older than the subscription.
      const { sim, b, c, seen, from, expectClean } = await addWhileApiV3Fails(transport, dropTracesOf)
      const dropped = sim.dropped
      const missed = [sim.emitTrace({ addresses: [b, c] }), sim.emitTrace({ addresses: [b, c] })]
      for (const trace of missed) {
        dropped.add(trace.traceExternalHashNorm)
        await trace.finish()
      }
      await settle(200)
      bringApiV3Back(sim)

      const finalized = finalizedIn(seen)
      for (const trace of missed) {
        await until(
          () => finalized(trace.traceExternalHashNorm),
          10_000,
          'a dropped trace of the added account',
        )
      }
      await expectClean()
      // Recovered from API v3 (SSE reopens its connection for update(): a backfill may be first to it).
      const recovered = seen.events
        .slice(from)
        .filter((e) => 'trace_external_hash_norm' in e && dropped.has(e.trace_external_hash_norm))
      expect(recovered.length).toBeGreaterThan(0)
      expect(recovered.every((e) => e.source !== 'stream')).toBe(true)
    })

    it("delivers an added account's finalized actions the server dropped while its baseline waited, when its transactions arrived", async () => {
      // The live stream sent the trace's finalized transactions, with the account's part, after the account
      // was added; a slow reader's drop lost its finalized actions. The baseline, taken seconds later, must
      // not count the trace as predating the account at finalized in every type because one type came live.
      const { sim, b, c, seen, expectClean } = await addWhileApiV3Fails(transport, dropFinalizedActionsOf)
      const trace = sim.emitTrace({ addresses: [b, c] })
      sim.dropped.add(trace.traceExternalHashNorm)
      await trace.finish()
      await until(() => finalizedIn(seen)(trace.traceExternalHashNorm), 5_000, 'the live transactions')
      await settle(200)
      bringApiV3Back(sim)

      await until(() => actionsFinalizedIn(seen)(trace.traceExternalHashNorm), 10_000, 'the dropped actions')
      await expectClean()
    })

    it("delivers the finalized snapshot of an added account's trace, confirmed when it was added, finalized in a drop", async () => {
      // API v3 is down from the start. The account is added while one of its traces is confirmed; the trace
      // finalizes while the connection is down, so the stream never sent it finalized. The baseline, taken
      // late, finds the trace ended before the account went live and final by now: only the block it
      // finalized in (API v3's `mc_seqno_end`) tells that it reached finalized after the account went live.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b, c] = sim.addresses as [string, string, string]
      const trace = sim.emitTrace({ addresses: [b, c] })
      await trace.advance()
      await trace.advance()
      // Until the chain's clock is well past the trace's end: it ended before the account was added.
      await chainClockPast(sim, Math.max(...trace.transactions.map((tx) => tx.now)) + 4)
      sim.failNext({ status: 502, on: 'v3', times: 10_000 })
      const stream = openStream(sim.toncenter.baseUrl, transport, a)
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const since = sim.ledger.mark()
      const from = seen.events.length
      await stream.update({ addresses: [a, b] })
      await settle(200)

      // The drop: reconnects are refused until the trace has finalized.
      const reconnects = stream.counters.reconnects
      sim.failNext({ status: 503, on: 'stream', times: 10_000 })
      sim.dropConnections()
      await trace.finish()
      await settle(300)
      sim.clearFaults('stream')
      await until(() => stream.counters.reconnects > reconnects, 5_000, 'the reconnect')
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      bringApiV3Back(sim)

      await until(
        () => finalizedIn(seen)(trace.traceExternalHashNorm),
        10_000,
        'the trace finalized in the drop',
      )
      await settle(400)
      const report = audit(sim, seen.events.slice(from), { account: b, minFinality: 'pending', since })
      expect(report).toMatchObject(CLEAN)
      expect(sim.v3Calls.blocks).toBeGreaterThan(0)
    }, 30_000)
  })
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when the stream's first baseline is slow`, () => {
    it('delivers the finality the server dropped of a trace the stream showed while the baseline waited', async () => {
      // API v3 fails while the stream is already live: the trace is shown live at pending, its later
      // snapshots are dropped, and it finalizes before the baseline's look-ups succeed. The baseline must not
      // count that finalized trace as older than the subscription: the backfill after the next drop owes it.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b] = sim.addresses as [string, string]
      const dropped = new Set<string>()
      interceptFrames(sim, (frame) => {
        const { finality, trace_external_hash_norm: hash } = frame as {
          finality?: string
          trace_external_hash_norm?: string
        }
        return hash !== undefined && dropped.has(hash) && finality !== 'pending' ? 'skip' : 'deliver'
      })
      sim.failNext({ status: 502, on: 'v3', times: 10_000 })
      const since = sim.ledger.mark()
      const stream = openStream(sim.toncenter.baseUrl, transport, a, { minFinality: 'pending' })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const trace = sim.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'finalized'] })
      dropped.add(trace.traceExternalHashNorm)
      await trace.advance()
      const shown = (finality: string) =>
        seen.events.some(
          (e) =>
            e.type === 'transactions' &&
            e.finality === finality &&
            e.trace_external_hash_norm === trace.traceExternalHashNorm,
        )
      await until(() => shown('pending'), 5_000, 'the pending trace')
      await trace.finish()
      await settle(200)
      bringApiV3Back(sim)
      await until(() => (sim.v3Calls.traces ?? 0) >= 1, 5_000, 'the baseline')
      await settle(300)
      expect(shown('finalized')).toBe(false)

      sim.dropConnections()
      await until(() => shown('finalized'), 10_000, 'the finalized trace, from the backfill')
      await settle(400)
      expect(audit(sim, seen.events, { account: a, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })
  })
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when an account is added to a quiet stream`, () => {
    it("delivers none of the account's traces that settled before it was added, after a drop", async () => {
      // The stream has seen nothing for a while: the chain time it last saw is old. A trace of `b` settles
      // meanwhile; then `b` is added and the connection drops. That trace predates `b`'s subscription:
      // the backfill must not deliver it as missed (measured from the old chain time, it looked like the
      // subscription's).
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b, c] = sim.addresses as [string, string, string]
      await sim.emitTrace({ addresses: [a, c] }).finish()
      const stream = openStream(sim.toncenter.baseUrl, transport, a)
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'the first baseline')
      await settle(200)
      const older = sim.emitTrace({ addresses: [b, c] })
      await older.finish()
      // Until the chain's clock is well past the trace's end: it settled before `b` was added (more than
      // the three seconds or so within which a trace may still be taken as the subscription's).
      await chainClockPast(sim, Math.max(...older.transactions.map((tx) => tx.now)) + 5)
      const since = sim.ledger.mark()
      const from = seen.events.length
      await stream.update({ addresses: [a, b] })
      await until(() => (sim.v3Calls.traces ?? 0) >= 1, 5_000, "the added account's baseline")
      await settle(300)

      const reconnects = stream.counters.reconnects
      sim.dropConnections()
      await until(() => stream.counters.reconnects > reconnects, 5_000, 'the reconnect')
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      const newer = sim.emitTrace({ addresses: [b, c] })
      await newer.finish()
      await until(() => finalizedIn(seen)(newer.traceExternalHashNorm), 5_000, 'a trace after the drop')
      await settle(800)
      const report = audit(sim, seen.events.slice(from), { account: b, minFinality: 'pending', since })
      expect(report).toMatchObject(CLEAN)
      const ofOlder = (e: (typeof seen.events)[number]) =>
        'trace_external_hash_norm' in e && e.trace_external_hash_norm === older.traceExternalHashNorm
      expect(seen.events.some(ofOlder)).toBe(false)
    }, 30_000)
  })
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when an added account's prompt baseline answers after a dropped frame`, () => {
    it('delivers the finalized snapshot of a trace confirmed before the account was added, finalized and dropped before its baseline answered', async () => {
      // `b` is added while one of its traces is confirmed. The trace finalizes a moment later, before the
      // baseline's look-ups answer (API v3 takes 300 ms), and the server drops that notification (a stalled
      // reader). The baseline is prompt and finds the trace final: only the block it finalized in tells that
      // it did so after `b` went live — its final snapshot is the subscription's, and reconciliation owes it.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b, c] = sim.addresses as [string, string, string]
      const dropped = new Set<string>()
      interceptFrames(sim, (frame) => {
        const { finality, trace_external_hash_norm: hash } = frame as {
          finality?: string
          trace_external_hash_norm?: string
        }
        return hash !== undefined && dropped.has(hash) && finality === 'finalized' ? 'skip' : 'deliver'
      })
      const stream = openStream(sim.toncenter.baseUrl, transport, a, { reconcile: { everyMs: 200 } })
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'the first baseline')
      const trace = sim.emitTrace({ addresses: [b, c] })
      await trace.advance()
      await trace.advance()
      // A later trace of `a`, seen live: the chain time the stream has seen is past the first one's end.
      await sim.emitTrace({ addresses: [a, c] }).finish()
      await settle(300)

      sim.delayApiV3({ ms: 300, times: 10_000 })
      dropped.add(trace.traceExternalHashNorm)
      const since = sim.ledger.mark()
      const from = seen.events.length
      await stream.update({ addresses: [a, b] })
      await trace.finish()
      await until(() => (sim.v3Calls.traces ?? 0) >= 2, 10_000, "the added account's baseline")

      await until(
        () => finalizedIn(seen)(trace.traceExternalHashNorm),
        10_000,
        'the finalized trace the server dropped',
      )
      await settle(400)
      const report = audit(sim, seen.events.slice(from), { account: b, minFinality: 'pending', since })
      expect(report).toMatchObject(CLEAN)
      expect(sim.v3Calls.blocks).toBeGreaterThan(0)
    }, 30_000)
  })
}

for (const transport of ['sse', 'websocket'] as const) {
  describe(`recovery over ${transport} when an added account's baseline is taken after a drop`, () => {
    it('delivers the trace the server dropped before the drop, when nothing committed had come live yet', async () => {
      // update() adds `b` while API v3 fails, so its baseline waits; the server drops the notifications of
      // a trace of `b` (a slow reader) and then the connection drops too, before the stream had delivered
      // anything committed: the gap has no start. The baseline, taken on the next connection, must still
      // count that trace as the subscription's (it ended after `b` went live) — not record it as older,
      // which left it undelivered for good.
      const sim = await harness.start({ keys: { [KEY]: {} } })
      const [a, b, c] = sim.addresses as [string, string, string]
      const dropped = dropTracesOf(sim)
      const stream = openStream(sim.toncenter.baseUrl, transport, a)
      const seen = record(stream)
      await stream.waitSubscribed({ timeoutMs: 5_000 })
      await until(() => (sim.v3Calls.transactions ?? 0) >= 1, 5_000, 'the first baseline')
      await settle(200)

      sim.failNext({ status: 502, on: 'v3', times: 10_000 })
      const since = sim.ledger.mark()
      await stream.update({ addresses: [a, b] })
      const missed = sim.emitTrace({ addresses: [b, c] })
      dropped.add(missed.traceExternalHashNorm)
      await missed.finish()
      await settle(200)
      await dropThenBringApiV3Back(sim, stream)

      const finalized = finalizedIn(seen)
      await until(() => finalized(missed.traceExternalHashNorm), 10_000, "the added account's dropped trace")
      await settle(400)
      expect(audit(sim, seen.events, { account: b, minFinality: 'pending', since })).toMatchObject(CLEAN)
    })
  })
}
