import type { VenumRestFault, VenumSimulator } from '@chainstream/testkit'
import type { SignatureChain } from '../harness/venum-chain.js'
import type { Prng } from '../prng.js'
import type { Fault } from '../schedule-types.js'

/** What a Venum fault needs from the run it is injected into. */
export interface VenumFaultTarget {
  readonly sim: VenumSimulator
  /** Signatures the schedule moves itself (the chain may move "quietly" while streams are down). */
  readonly manual: readonly SignatureChain[]
  readonly prng: Prng
  /** Runs `action` before tick `tick` (to end a temporary fault). */
  later(tick: number, action: () => void): void
  note(line: string): void
}

/** The simulator options a schedule's faults need from the start (the per-key stream limit). */
export function venumSimOptions(faults: readonly Fault[]): {
  maxStreamsPerKey?: number
  retryAfterSeconds?: number
} {
  const limit = faults.find((fault) => fault.kind === 'venum-stream-limit')
  if (!limit) return {}
  return { maxStreamsPerKey: Number(limit.params.perKey), retryAfterSeconds: Number(limit.params.retryAfter) }
}

/** The chain moves while nobody listens: what a reconnect's snapshot must catch up with. */
function quietSteps(target: VenumFaultTarget): void {
  const open = target.manual.filter((chain) => !chain.done)
  for (const chain of target.prng.sample(open, target.prng.int(1, 2))) {
    const status = chain.advance(true)
    target.note(`quiet ${chain.signature.slice(0, 10)} → ${status}`)
  }
}

/** Injects one Venum fault. Every one of them is something Venum or the network does, and retryable. */
export function injectVenumFault(fault: Fault, tick: number, target: VenumFaultTarget): void {
  const { sim } = target
  switch (fault.kind) {
    case 'venum-drop':
      // `dropAfter` applies to streams opened from now on: the reconnects after this drop.
      if (fault.params.mode === 'after') sim.dropAfter(Number(fault.params.events), 2)
      sim.dropStreams()
      quietSteps(target)
      return
    case 'venum-stall':
      sim.stallStreams()
      quietSteps(target)
      return
    case 'venum-503-fallback':
      sim.setTierPolling(false)
      sim.dropStreams()
      target.later(tick + Number(fault.params.ticks), () => {
        sim.setTierPolling(true)
        target.note('tier polling back')
      })
      return
    case 'venum-rest-errors': {
      const faults = String(fault.params.faults)
        .split(',')
        .map((f): VenumRestFault => (f === 'lookup-error' ? 'lookup-error' : Number(f)))
      sim.failNextRest(...faults)
      // Snapshots follow a reconnect: make one happen while the lookups fail.
      sim.dropStreams()
      return
    }
    case 'venum-stream-limit':
      // The limit itself is a simulator option; a drop makes every stream reconnect against it at once.
      sim.dropStreams()
      return
    case 'abort':
      // Aborts are planned per wait/track (`abortAt`) and fired by the scenario.
      return
    default:
      throw new Error(`fault ${fault.kind} does not apply to Venum`)
  }
}

/** Fast Venum client timings. */
export const FAST_VENUM = {
  heartbeatTimeoutMs: 150,
  reconnect: { initialDelayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 1_500 },
  pollIntervalMs: 10,
  maxPollsPerSecond: 500,
  unavailableRetryMs: 40,
} as const

/** The simulator's heartbeat under `FAST_VENUM.heartbeatTimeoutMs`; `timeScale` of automatic lifecycles. */
export const FAST_VENUM_SIM = { heartbeatIntervalMs: 25, timeScale: 0.3 } as const
