import type { Tracker } from '@chainstream/core'
import type { TonEvent, TonLifecycleOptions, TonStreamOptions } from '@chainstream/provider-toncenter'
import { createTonSimulator } from '@chainstream/testkit'
import { checkClosed } from '../harness/leak-check.js'
import type { SeedContext } from '../harness/seed-context.js'
import { createStallProxy } from '../harness/stall-proxy.js'
import { FAST_KEEPALIVE_MS, FAST_TON, tonClient } from '../harness/ton-client.js'
import { notedTracker, recordTrack, trackDone, tracksSoFar } from '../harness/track-log.js'
import { sleep, turn, untilSettled } from '../harness/wait.js'
import { TonDeliveryLog } from '../oracle/ton-deliveries.js'
import {
  checkTonStream,
  expectedFinalized,
  missingFinalized,
  owedInvalidations,
  type TonStreamExpectation,
} from '../oracle/ton-stream-oracle.js'
import { traceTruth } from '../oracle/track-truths.js'
import { checkTracks, type TrackRecord } from '../oracle/tracker-oracle.js'
import type { Schedule, TonStreamPlan } from '../schedule-types.js'
import { injectTonFault, newV3Requests, streamRequests, type TonFaultTarget, v3Quiet } from './ton-faults.js'

/** How long the consumer gets, after the last stage was emitted, to make up for every fault. */
const QUIESCE_MS = 3_000

/**
 * One TON stream over an address subscription (TON Center or TonAPI profile, SSE or WebSocket) against a
 * fresh simulator, driven tick by tick with `sim.step()` — no wall-clock scenario timer — while the
 * schedule's faults hit it. Then every finalized event the ledger holds for the subscribed wallets since
 * the stream was first subscribed must have been delivered exactly once, in finality order.
 */
export async function runTonStream(plan: Schedule & TonStreamPlan, context: SeedContext): Promise<void> {
  const sim = await createTonSimulator({
    seed: plan.seed,
    keepaliveMs: FAST_KEEPALIVE_MS,
    lingerMs: plan.lingerMs,
  })
  // A stalled consumer is modelled on the wire (see `stall-proxy.ts`): the client talks through a relay.
  const stalls = plan.faults.some((fault) => fault.kind === 'slow-consumer')
  const proxy = stalls ? await createStallProxy(sim.url) : undefined
  try {
    const wallets = sim.addresses.slice(0, plan.wallets)
    const key = `chaos-${plan.seed}`
    const client = tonClient(
      plan.profile,
      sim,
      key,
      plan.sharedTracker ? sharedLifecycle(plan) : undefined,
      proxy?.url,
    )
    const log = new TonDeliveryLog()
    const options: TonStreamOptions & Record<string, unknown> = {
      transport: plan.transport,
      types: ['transactions', 'actions'],
      addresses: wallets,
      minFinality: plan.minFinality,
      ...FAST_TON,
      // While the relay stalls, keepalives and pongs wait too; a stall this long is not a dead connection.
      ...(stalls ? { heartbeatTimeoutMs: 3_000, pongTimeoutMs: 3_000 } : {}),
      // Rechecks of held traces (and of a failed backfill) at the fastest rate the stream allows.
      recovery: { notFoundGraceMs: 10, recheckIntervalMs: 100 },
      ...(plan.reconcile ? { reconcile: { everyMs: 100 } } : {}),
    }
    // API v3 down from before the stream opens: its first baseline comes late, with no chain time of its
    // own to tell the subscription's traces from older ones (it reads the chain's clock instead).
    const outage = plan.v3Outage
    if (outage) {
      sim.failNext({
        status: outage.status,
        on: 'v3',
        times: Number.MAX_SAFE_INTEGER,
        ...(outage.status === 429 ? { retryAfter: 0 } : {}),
      })
    }
    const openedAt = Date.now()
    let outageOver = outage === undefined
    const endOutageWhenDue = async (wait: boolean) => {
      if (outage === undefined || outageOver) return
      const left = openedAt + outage.ms - Date.now()
      if (left > 0 && !wait) return
      if (left > 0) await sleep(left)
      outageOver = true
      // Faults other kinds queued for API v3 meanwhile go too: none of them was reached.
      sim.clearFaults('v3')
      context.note(`API v3 answers again, ${Date.now() - openedAt} ms after the stream opened`)
    }
    let closing = false
    /** The first stream closed before the end (the second goes on alone). */
    let firstLeft = false
    /** Logs what a stream delivers and notes what happens to it; `who` names the second stream. */
    const watch = (stream: ReturnType<typeof openStream>, log: TonDeliveryLog, who = '') => {
      stream.on('event', (event: TonEvent) => log.add(event as never))
      stream.on('reconnect', (info) =>
        context.note(
          `${who}reconnect #${info.attempt} in ${info.delayMs} ms: ${info.error.code} ${info.error.message.slice(0, 120)}`,
        ),
      )
      stream.on('diagnostic', (d) => {
        const data = Array.isArray(d.data)
          ? ` [${(d.data as unknown[]).map(String).join(', ').slice(0, 200)}]`
          : ''
        context.note(`${who}diagnostic ${d.code}: ${d.message.slice(0, 160)}${data}`)
      })
      stream.on('error', (e) => context.note(`${who}error ${e.code}: ${e.message.slice(0, 160)}`))
      void stream.closed.then((error) => {
        if (!closing && (who !== '' || !firstLeft)) {
          context.violations.add(
            'unexpected-close',
            `${who || 'the '}stream closed by itself: ${error ? `${error.code} ${error.message}` : 'without an error'}`,
          )
        }
      })
    }
    const stream = openStream(client, options, context)
    watch(stream, log)

    await stream.waitSubscribed({ timeoutMs: 3_000 })
    // Whatever recovery reads from API v3 on the first connection (a baseline to measure gaps from) is
    // left to finish before the first fault, so "after the stream first became subscribed" is well
    // defined. Judged by API v3 going quiet, not by which calls recovery makes: that is its business.
    // During an outage at the start there is nothing to wait for: everything from here on is owed.
    if (outage === undefined) await v3Quiet(sim)
    const added = new Map<string, number>()
    const expectation: TonStreamExpectation = {
      ledger: sim.ledger,
      mark: sim.ledger.mark(),
      subscribed: new Set(wallets),
      added,
      minFinality: plan.minFinality,
    }
    const addWallet = async () => {
      if (firstLeft) {
        context.note('the first stream has left: no wallet added')
        return
      }
      const followed = [...wallets, ...added.keys()]
      const next = sim.addresses.find((address) => !followed.includes(address))
      if (next === undefined) return
      try {
        await stream.update({ addresses: [...followed, next] })
      } catch (error) {
        const e = error as { code?: string; message?: string }
        context.violations.add(
          'unexpected-close',
          `update() adding a wallet rejected: ${e.code} ${e.message}`,
        )
        return
      }
      // Owed from here on: the change is applied and recovery has read the new account's baseline.
      await v3Quiet(sim)
      added.set(next, sim.ledger.mark())
      context.note(`added wallet ${next.slice(0, 14)}… to the subscription`)
    }

    // A second stream of the client, on the connection it shares with the first (the hub): its wallets join
    // the connection's subscription, and it is owed everything of them from its own subscription on.
    let second:
      | { stream: ReturnType<typeof openStream>; log: TonDeliveryLog; expectation: TonStreamExpectation }
      | undefined
    const joinSecond = async (overlap: boolean) => {
      const last = sim.addresses.at(-1) as string
      const first = wallets[0] as string
      const addresses = overlap && first !== last ? [first, last] : [last]
      const secondLog = new TonDeliveryLog()
      const secondStream = openStream(client, { ...options, addresses }, context)
      watch(secondStream, secondLog, 'second stream: ')
      try {
        await secondStream.waitSubscribed({ timeoutMs: 10_000 })
      } catch (error) {
        context.violations.add(
          'unexpected-close',
          `the second stream never became subscribed: ${(error as Error).message}`,
        )
        return
      }
      if (outageOver) await v3Quiet(sim)
      second = {
        stream: secondStream,
        log: secondLog,
        expectation: {
          ledger: sim.ledger,
          mark: sim.ledger.mark(),
          subscribed: new Set(addresses),
          minFinality: plan.minFinality,
        },
      }
      context.note(`second stream subscribed to ${addresses.length} wallet(s) on the shared connection`)
    }

    // A tracker of the same client, on the connection its streams share: it tracks traces in flight
    // (whatever wallets they touch), and each track is owed exactly one terminal, as the ledger has it.
    let tracker: Tracker | undefined
    const tracks: TrackRecord[] = []
    const startTracker = (count: number): boolean => {
      const emitted = sim.ledger.traces.filter((t) => t.status !== 'planned' && t.status !== 'invalidated')
      if (emitted.length === 0) return false
      const inFlight = emitted.filter((t) => t.status === 'pending' || t.status === 'confirmed')
      const final = emitted.filter((t) => t.status === 'finalized')
      const chosen = [...inFlight.slice(-count), ...final.slice(-count)].slice(0, count)
      const started = notedTracker([client], context)
      tracker = started
      for (const trace of chosen) {
        const hash = trace.traceExternalHashNorm
        context.note(`tracking ${hash.slice(0, 10)} (at ${trace.status}) on the shared connection`)
        tracks.push(recordTrack(started, 'ton', hash, () => traceTruth(sim, hash), context))
      }
      return true
    }

    const manual: { finish(): Promise<unknown> }[] = []
    const scenario = {
      seed: plan.seed,
      addresses: sim.addresses,
      invalidationRate: plan.invalidationRate,
      failureRate: plan.failureRate,
    }
    // What the faults watch: the first stream, or the second once the first has left.
    const active = () => (firstLeft && second ? second : { stream, log })
    const target: TonFaultTarget = {
      sim,
      wallets,
      get log() {
        return active().log
      },
      seesPending: plan.minFinality !== 'finalized',
      connected: () => active().stream.state === 'subscribed' && sim.connections.active > 0,
      note: (line) => context.note(line),
      step: () => sim.step(1, scenario),
      steps: (n) => sim.step(n, scenario),
      addWallet,
      key,
      ...(proxy ? { proxy } : {}),
      manual,
    }
    // Before a wallet is added, the followed wallets may fall quiet (see `quietBeforeAdd`): the new traces
    // of those ticks are between the wallets no stream follows.
    const adds = plan.faults.filter((f) => f.kind === 'subscription-change').map((f) => f.tick)
    const quietTick = (tick: number) =>
      plan.quietBeforeAdd !== undefined &&
      adds.some((at) => at > tick && at - tick <= (plan.quietBeforeAdd ?? 0))
    const quietStep = async () => {
      const followed = new Set([...wallets, ...added.keys(), ...(second?.expectation.subscribed ?? [])])
      const unfollowed = sim.addresses.filter((address) => !followed.has(address))
      if (unfollowed.length === 0) return target.step()
      await sim.step(1, scenario, unfollowed)
    }
    for (let tick = 0; tick < plan.ticks; tick++) {
      await endOutageWhenDue(false)
      if (plan.secondConsumer?.tick === tick) await joinSecond(plan.secondConsumer.overlap)
      if (plan.sharedTracker && !tracker && tick >= plan.sharedTracker.tick) {
        startTracker(plan.sharedTracker.traces)
      }
      if (plan.secondConsumer?.firstLeaves === tick && second) {
        // The first stream closes once it has caught up with what it is owed so far (recovery takes its
        // time, and what it would bring after a close is nobody's); only that is owed to it. The second
        // goes on alone on the shared connection.
        await endOutageWhenDue(true)
        const owedNow = expectedFinalized({ ...expectation, until: sim.ledger.mark() })
        const work = newV3Requests(sim)
        const caughtUp = await untilSettled(
          () =>
            stream.state === 'subscribed' &&
            (proxy === undefined || proxy.quietFor(50)) &&
            missingFinalized(owedNow, log.list).length === 0 &&
            owedInvalidations(sim.ledger, log.list).length === 0,
          () => log.list.length + streamRequests(sim) + work(),
          QUIESCE_MS,
        )
        firstLeft = true
        expectation.until = sim.ledger.mark()
        await stream.close()
        context.note(`the first stream closed (caught up: ${caughtUp}); the second goes on alone`)
      }
      for (const fault of plan.faults.filter((f) => f.tick === tick)) {
        context.note(`tick ${tick}: ${fault.kind} ${JSON.stringify(fault.params)}`)
        await injectTonFault(fault, target)
      }
      await (quietTick(tick) ? quietStep() : target.step())
      await turn()
    }
    await sim.stop({ finish: true })
    for (const trace of manual) await trace.finish()
    await endOutageWhenDue(true)

    // The ledger is final now. The consumer gets as long as it keeps making progress (events delivered,
    // connection attempts — a capped Retry-After can hold it off for seconds — and new API v3 requests,
    // a recovery paging through a long window), then 3 s of nothing. Repeated API v3 reads do not count:
    // rechecks run every 100 ms whether they find anything or not.
    const expected = expectedFinalized(expectation)
    const secondExpected = second ? expectedFinalized(second.expectation) : undefined
    const settled = () =>
      active().stream.state === 'subscribed' &&
      // After a stall, the backlog the sockets held is still arriving: judge once it has.
      (proxy === undefined || proxy.quietFor(50)) &&
      missingFinalized(expected, log.list).length === 0 &&
      owedInvalidations(sim.ledger, log.list, expectation.until).length === 0 &&
      (second === undefined ||
        secondExpected === undefined ||
        (missingFinalized(secondExpected, second.log.list).length === 0 &&
          owedInvalidations(sim.ledger, second.log.list).length === 0)) &&
      tracks.every(trackDone)
    const v3Work = newV3Requests(sim)
    const quiet = await untilSettled(
      settled,
      () =>
        log.list.length +
        (second?.log.list.length ?? 0) +
        tracks.reduce((sum, r) => sum + r.updates.length, 0) +
        streamRequests(sim) +
        v3Work(),
      QUIESCE_MS,
    )
    // Late duplicates or regressions (a recovery finishing after the live events) still count.
    await sleep(quiet ? 30 : 0)
    context.note(
      `quiesced: ${quiet}, state ${active().stream.state}, ${log.list.length} events, API v3 calls ${JSON.stringify(sim.v3Calls)}`,
    )
    for (const session of sim.sessions) {
      const sub = session.subscription as unknown as {
        addresses?: readonly string[]
        types?: readonly string[]
      }
      context.note(
        `session ${session.id} ${session.isClosed ? 'closed' : 'open'}: ${sub.addresses?.length ?? 0} address(es), types ${sub.types?.join('+') ?? '-'}, ${session.written.length} written, ${session.dropped.length} dropped, ${session.queued} queued`,
      )
    }

    closing = true
    const tracked = tracksSoFar(tracks)
    await tracker?.close()
    await stream.close()
    await second?.stream.close()
    checkTonStream(expectation, log.list, context.violations)
    if (second) {
      const { violations } = context
      checkTonStream(second.expectation, second.log.list, {
        add: (invariant, message) => violations.add(invariant, `second stream: ${message}`),
      })
      context.stats.secondEvents = second.log.list.length
    }
    if (tracker) {
      const { violations } = context
      checkTracks(tracked, {
        add: (invariant, message) => violations.add(invariant, `shared tracker: ${message}`),
      })
      context.stats.tracks = tracks.length
    }
    const counters = stream.counters as unknown as Record<string, number>
    context.stats.events = counters.events ?? 0
    context.stats.bytes = counters.bytes ?? 0
    context.stats.reconnects = counters.reconnects ?? 0
    context.stats.recovered = counters.backfilled ?? 0
    if (counters.reconciled !== undefined) context.stats.reconciled = counters.reconciled
    await checkClosed(context, 'TON stream', () => sim.connections.active)
    await client.close()
  } finally {
    await proxy?.close()
    await sim.close()
  }
}

/**
 * Opens the stream; a client without periodic reconciliation (an option newer than some builds) gets the
 * stream without it — and the slow-consumer seed then says what is lost without it, rather than crashing.
 */
function openStream(
  client: ReturnType<typeof tonClient>,
  options: TonStreamOptions & Record<string, unknown>,
  context: SeedContext,
) {
  try {
    return client.stream(options)
  } catch (error) {
    if (options.reconcile === undefined || !String((error as Error).message).includes('reconcile'))
      throw error
    context.note(`this client has no reconcile option (${(error as Error).message}); streaming without it`)
    const { reconcile: _, ...rest } = options
    return client.stream(rest)
  }
}

/**
 * The lifecycle source of a client that also streams: the stream's transport and no connection settings
 * of its own, so it rides the stream's connection (its timings, its recovery); re-checks and, when the
 * server may drop frames for a stalled reader, reconciliation at the pace of the stream's own.
 */
function sharedLifecycle(plan: TonStreamPlan): TonLifecycleOptions {
  return {
    transport: plan.transport,
    recheckIntervalMs: 30,
    notFoundGraceMs: 10,
    ...(plan.reconcile ? { reconcileAfterMs: 100 } : {}),
  }
}
