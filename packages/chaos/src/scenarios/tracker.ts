import { createVenum } from '@chainstream/provider-venum-solana'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonStage,
  type TonTraceHandle,
  venumSignature,
} from '@chainstream/testkit'
import { checkClosed } from '../harness/leak-check.js'
import type { SeedContext } from '../harness/seed-context.js'
import { FAST_KEEPALIVE_MS, FAST_TON, tonClient } from '../harness/ton-client.js'
import { notedTracker, recordTrack, trackDone, tracksSoFar } from '../harness/track-log.js'
import { SignatureChain } from '../harness/venum-chain.js'
import { nextOrder, sleep, turn, until, untilSettled } from '../harness/wait.js'
import { signatureTruth, traceTruth } from '../oracle/track-truths.js'
import { checkTracks, type TrackRecord, type TrackTruth } from '../oracle/tracker-oracle.js'
import { Prng } from '../prng.js'
import type { Schedule, TrackerPlan } from '../schedule-types.js'
import { injectTonFault, streamRequests, type TonFaultTarget, v3Quiet } from './ton-faults.js'
import { FAST_VENUM, FAST_VENUM_SIM, injectVenumFault, venumSimOptions } from './venum-faults.js'

const QUIESCE_MS = 3_000
const TON_FAULTS = new Set([
  'drop-mid-event',
  'server-5xx',
  'reconnect-too-soon',
  'half-open',
  'heartbeat-silence',
  'invalidation-across-reconnect',
])

/**
 * The cross-chain tracker over both simulators: TON traces and Solana signatures tracked side by side,
 * moved by the schedule tick by tick while faults hit both providers' connections, some tracks aborted
 * mid-flight. Every track must end exactly once, as its chain did, and abort must never resolve.
 */
export async function runTracker(plan: Schedule & TrackerPlan, context: SeedContext): Promise<void> {
  const ton = await createTonSimulator({
    seed: plan.seed,
    keepaliveMs: FAST_KEEPALIVE_MS,
    lingerMs: plan.lingerMs,
  })
  const solana = await createVenumSimulator({
    seed: plan.seed,
    ...FAST_VENUM_SIM,
    ...venumSimOptions(plan.faults),
  })
  const prng = new Prng(plan.seed).fork('tracker-run')
  try {
    const tonProvider = tonClient(plan.profile, ton, `chaos-${plan.seed}`, {
      transport: plan.transport,
      reconnect: FAST_TON.reconnect,
      heartbeatTimeoutMs: FAST_TON.heartbeatTimeoutMs,
      pingIntervalMs: FAST_TON.pingIntervalMs,
      pongTimeoutMs: FAST_TON.pongTimeoutMs,
      subscribeTimeoutMs: FAST_TON.subscribeTimeoutMs,
      openTimeoutMs: FAST_TON.openTimeoutMs,
      connectionLimitRetryMs: FAST_TON.connectionLimitRetryMs,
      recheckIntervalMs: 30,
      notFoundGraceMs: 10,
    })
    const venum = createVenum({
      apiKey: solana.apiKey,
      baseUrl: solana.url,
      ...FAST_VENUM,
      random: prng.fork('jitter').source(),
    })
    const tracker = notedTracker([tonProvider, venum], context)

    const records: (TrackRecord & {
      controller?: AbortController
      abortAt?: number
      abortedOrder?: number
    })[] = []
    const track = (
      chain: 'ton' | 'solana',
      id: string,
      abortAt: number | undefined,
      truth: () => TrackTruth,
    ) => {
      const controller = abortAt === undefined ? undefined : new AbortController()
      records.push({
        ...recordTrack(tracker, chain, id, truth, context, controller?.signal),
        ...(controller ? { controller } : {}),
        ...(abortAt === undefined ? {} : { abortAt }),
      })
    }

    const traces: TonTraceHandle[] = []
    const trackTrace = (handle: TonTraceHandle, abortAt?: number) =>
      track('ton', handle.traceExternalHashNorm, abortAt, () => traceTruth(ton, handle.traceExternalHashNorm))
    // Traces tracked late move from the start: by their tick they may be pending, confirmed, final or gone.
    const late = new Map<number, TonTraceHandle[]>()
    for (const [i, spec] of plan.traces.entries()) {
      const handle = ton.emitTrace({
        addresses: [ton.addresses[i % 4] as string, ton.addresses[(i + 1) % 4] as string],
        stages: spec.stages as TonStage[],
        failed: spec.failed,
      })
      traces.push(handle)
      if (spec.trackAt === undefined) trackTrace(handle, spec.abortAt)
      else late.set(spec.trackAt, [...(late.get(spec.trackAt) ?? []), handle])
    }
    const chains = plan.signatures.map((spec, i) => {
      const signature = venumSignature(i, plan.seed)
      solana.addSignature(signature, 'manual')
      const chain = new SignatureChain(signature, spec.path, solana)
      track('solana', signature, spec.abortAt, () => signatureTruth(chain))
      return chain
    })

    // Both watches up (and the TON source's first snapshot read) before the first fault — a chain with
    // nothing tracked yet (every trace tracked late) opens no connection to wait for.
    const tracksTon = records.some((record) => record.chain === 'ton')
    await until(
      () => (!tracksTon || ton.connections.active > 0) && (chains.length === 0 || solana.openStreams > 0),
      2_000,
    )
    await v3Quiet(ton)

    const later = new Map<number, (() => void)[]>()
    const tonTarget: TonFaultTarget = {
      sim: ton,
      wallets: ton.addresses.slice(0, 2),
      seesPending: true,
      connected: () => ton.connections.active > 0,
      note: (line) => context.note(line),
      step: async () => {
        for (const handle of traces) {
          if (handle.remaining.length > 0 && prng.chance(0.5)) {
            const stage = await handle.advance()
            context.note(`trace ${handle.traceExternalHashNorm.slice(0, 10)} → ${stage}`)
          }
        }
      },
      manual: [],
      onTrace: () => {},
    }
    const venumTarget = {
      sim: solana,
      manual: chains,
      prng,
      later: (tick: number, action: () => void) => later.set(tick, [...(later.get(tick) ?? []), action]),
      note: (line: string) => context.note(line),
    }
    for (let tick = 0; tick < plan.ticks; tick++) {
      for (const action of later.get(tick) ?? []) action()
      for (const handle of late.get(tick) ?? []) {
        context.note(
          `tick ${tick}: tracking ${handle.traceExternalHashNorm.slice(0, 10)} now (at ${handle.stage ?? 'nothing yet'})`,
        )
        trackTrace(handle)
      }
      for (const record of records) {
        if (record.abortAt === tick && record.controller) {
          record.abortedOrder = nextOrder()
          record.controller.abort()
        }
      }
      for (const fault of plan.faults.filter((f) => f.tick === tick)) {
        context.note(`tick ${tick}: ${fault.kind} ${JSON.stringify(fault.params)}`)
        if (fault.kind === 'invalidation-across-reconnect') {
          // The invalidated trace is tracked too: its terminal must be `invalidated`.
          await injectTonFault(fault, {
            ...tonTarget,
            onTrace: (hash) => track('ton', hash, undefined, () => traceTruth(ton, hash)),
          })
        } else if (TON_FAULTS.has(fault.kind)) await injectTonFault(fault, tonTarget)
        else injectVenumFault(fault, tick, venumTarget)
      }
      await tonTarget.step()
      for (const chain of chains) if (prng.chance(0.5)) chain.advance()
      await turn()
      await sleep(2)
    }
    for (const actions of later.values()) for (const action of actions) action()
    for (const handle of traces) await handle.finish()
    for (const chain of chains) chain.finish()

    // A trace retracted before the consumer ever saw it owes no terminal (see `trackDone`): such a track
    // may stay open, and is not waited for.
    const quiet = await untilSettled(
      () => records.every(trackDone),
      () =>
        records.reduce((sum, r) => sum + r.updates.length, 0) +
        streamRequests(ton) +
        solana.streamRequests.length,
      QUIESCE_MS,
    )
    await sleep(quiet ? 20 : 0)
    context.note(
      `quiesced: ${quiet}, ${records.filter((r) => r.settled.state === 'pending').length} track(s) open`,
    )
    // For a TON track still open: what each simulator session was written of its trace, and when.
    for (const record of records) {
      if (record.chain !== 'ton' || record.settled.state !== 'pending') continue
      for (const session of ton.sessions) {
        const mine = (n: { trace_external_hash_norm?: string }) => n.trace_external_hash_norm === record.id
        const written = session.written.filter(mine).map((n) => `${n.type}:${n.finality ?? ''}#${n.seq}`)
        const dropped = session.dropped
          .filter(mine)
          .map((n) => `${n.type}:${n.finality ?? ''}#${n.seq}(${n.reason})`)
        if (written.length + dropped.length > 0) {
          context.note(
            `  ${session.id} about ${record.id.slice(0, 10)}: written ${written.join(' ')}; dropped ${dropped.join(' ')}`,
          )
        }
      }
    }
    // What the consumer had before `close()`: closing cancels open tracks, which is not the chain's doing.
    const snapshot = tracksSoFar(records)
    await tracker.close()
    checkTracks(snapshot, context.violations)
    context.stats.tracks = records.length
    context.stats.updates = records.reduce((sum, r) => sum + r.updates.length, 0)
    await checkClosed(context, 'tracker', () => ton.connections.active + solana.openStreams)
    // The clients outlive the tracker; closing them is the application's last act (and must not throw).
    await tonProvider.close()
    await venum.close()
  } finally {
    await ton.close()
    await solana.close()
  }
}
