import type { Tracker } from '@chainstream/core'
import { createVenum, type VenumUpdate } from '@chainstream/provider-venum-solana'
import { createVenumSimulator, venumSignature } from '@chainstream/testkit'
import { checkClosed } from '../harness/leak-check.js'
import type { SeedContext } from '../harness/seed-context.js'
import { notedTracker, recordTrack, trackDone, tracksSoFar } from '../harness/track-log.js'
import { SignatureChain } from '../harness/venum-chain.js'
import { nextOrder, observe, sleep, until, untilSettled } from '../harness/wait.js'
import { signatureTruth } from '../oracle/track-truths.js'
import { checkTracks, type TrackRecord } from '../oracle/tracker-oracle.js'
import { checkVenumUpdates, checkVenumWaits, type VenumWait } from '../oracle/venum-oracle.js'
import { Prng } from '../prng.js'
import type { Schedule, VenumWatchPlan } from '../schedule-types.js'
import { FAST_VENUM, FAST_VENUM_SIM, injectVenumFault, venumSimOptions } from './venum-faults.js'

/** How long the watch gets, after the last chain step, to end every signature. */
const QUIESCE_MS = 3_000

/**
 * One Venum watch over manual and automatic signatures, plus `waitFor`s, against a fresh simulator. The
 * schedule moves the manual signatures tick by tick (sometimes "quietly", while streams are down) and
 * injects Venum's faults; then every signature must end exactly once, in tier order, as the chain did.
 */
export async function runVenumWatch(plan: Schedule & VenumWatchPlan, context: SeedContext): Promise<void> {
  const sim = await createVenumSimulator({
    seed: plan.seed,
    ...FAST_VENUM_SIM,
    lifecycles: { success: 5, failure: 2, 'verify-timeout': 1, 'never-lands': 1, 'setup-error': 1 },
    ...venumSimOptions(plan.faults),
  })
  const prng = new Prng(plan.seed).fork('venum-run')
  try {
    const venum = createVenum({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      maxStreams: plan.maxStreams,
      ...FAST_VENUM,
      random: prng.fork('jitter').source(),
    })
    const chains = new Map<string, SignatureChain>()
    const manual = plan.manual.map((path, i) => {
      const signature = venumSignature(i, plan.seed)
      sim.addSignature(signature, 'manual')
      const chain = new SignatureChain(signature, path, sim)
      chains.set(signature, chain)
      return chain
    })
    for (let i = 0; i < plan.automatic; i++) {
      const signature = venumSignature(1_000 + i, plan.seed)
      chains.set(signature, new SignatureChain(signature, undefined, sim))
    }

    const updates = new Map<string, VenumUpdate[]>()
    const watch = venum.watch({ signatures: [...chains.keys()], events: plan.events })
    let ended = false
    let closing = false
    watch.on('update', (update) => {
      const list = updates.get(update.signature) ?? []
      list.push(update)
      updates.set(update.signature, list)
    })
    watch.on('error', (error) => context.note(`watch error ${error.code}: ${error.message.slice(0, 140)}`))
    watch.on('diagnostic', (d) => context.note(`diagnostic ${d.code}: ${d.message.slice(0, 140)}`))
    void watch.closed.then((error) => {
      ended = true
      if (error && !closing) {
        context.violations.add('unexpected-close', `the watch ended with ${error.code}: ${error.message}`)
      }
    })
    const ready = observe(watch.ready)
    // Under a per-key stream limit below the shard count, `ready` waits for streams that cannot open
    // until others complete — which needs the ticks below. Only a short wait then.
    const limited = plan.faults.some((fault) => fault.kind === 'venum-stream-limit')
    await until(() => ready.state !== 'pending', limited ? 50 : 3_000)
    if (ready.state !== 'resolved') context.note(`watch.ready: ${ready.state} ${String(ready.error)}`)

    const waits: (VenumWait & { controller?: AbortController; abortAt?: number })[] = plan.waits.map(
      (spec) => {
        const chain = manual[spec.index] as SignatureChain
        const controller = spec.abortAt === undefined ? undefined : new AbortController()
        const settled = observe(
          venum.waitFor(chain.signature, spec.tier, controller ? { signal: controller.signal } : {}),
        )
        return {
          chain,
          tier: spec.tier,
          settled,
          ...(controller ? { controller } : {}),
          ...(spec.abortAt === undefined ? {} : { abortAt: spec.abortAt }),
        }
      },
    )

    // A tracker over the same client, on the streams its watch and waits share: each track is owed exactly
    // one terminal, as the chain had it.
    let tracker: Tracker | undefined
    const tracks: TrackRecord[] = []
    const startTracker = (indices: readonly number[]) => {
      const started = notedTracker([venum], context)
      tracker = started
      for (const index of indices) {
        const chain = manual[index] as SignatureChain
        context.note(`tracking ${chain.signature.slice(0, 10)} (at ${chain.reached.at(-1) ?? 'nothing yet'})`)
        tracks.push(recordTrack(started, 'solana', chain.signature, () => signatureTruth(chain), context))
      }
    }

    const later = new Map<number, (() => void)[]>()
    const target = {
      sim,
      manual,
      prng,
      later: (tick: number, action: () => void) => later.set(tick, [...(later.get(tick) ?? []), action]),
      note: (line: string) => context.note(line),
    }
    for (let tick = 0; tick < plan.ticks; tick++) {
      for (const action of later.get(tick) ?? []) action()
      if (plan.sharedTracker?.tick === tick) startTracker(plan.sharedTracker.indices)
      for (const wait of waits) {
        if (wait.abortAt === tick && wait.controller) {
          wait.abortedOrder = nextOrder()
          wait.controller.abort()
        }
      }
      for (const fault of plan.faults.filter((f) => f.tick === tick)) {
        context.note(`tick ${tick}: ${fault.kind} ${JSON.stringify(fault.params)}`)
        injectVenumFault(fault, tick, target)
      }
      for (const chain of manual) if (prng.chance(0.5)) chain.advance()
      await sleep(3)
    }
    for (const actions of later.values()) for (const action of actions) action()
    for (const chain of manual) chain.finish()

    const quiet = await untilSettled(
      () => ended && waits.every((wait) => wait.settled.state !== 'pending') && tracks.every(trackDone),
      () =>
        watch.counters.updates +
        tracks.reduce((sum, r) => sum + r.updates.length, 0) +
        sim.streamRequests.length,
      QUIESCE_MS,
    )
    context.note(`quiesced: ${quiet}, watch ended: ${ended}, ${[...updates.values()].flat().length} updates`)
    closing = true
    const tracked = tracksSoFar(tracks)
    await tracker?.close()
    await watch.close()
    const strongest = plan.events.at(-1) as string
    checkVenumUpdates(chains, updates, strongest, context.violations)
    checkVenumWaits(waits, context.violations)
    if (tracker) {
      const { violations } = context
      checkTracks(tracked, {
        add: (invariant, message) => violations.add(invariant, `shared tracker: ${message}`),
      })
      context.stats.tracks = tracks.length
    }
    context.stats.updates = watch.counters.updates
    context.stats.lookups = watch.counters.lookups
    context.stats.streams = sim.streamsOpened
    await checkClosed(context, 'Venum watch', () => sim.openStreams)
    await venum.close()
  } finally {
    await sim.close()
  }
}
