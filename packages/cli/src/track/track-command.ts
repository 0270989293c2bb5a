import { createTracker, type LifecycleUpdate, type ObservedTier } from '@chainstream/core'
import type { TonNetwork } from '@chainstream/provider-toncenter'
import type { CommandContext } from '../command-context.js'
import type { ExitCode } from '../exit-codes.js'
import { connectTon, connectTonSimulator, type TonProviderName } from '../providers/ton-client.js'
import { connectVenum, connectVenumSimulator } from '../providers/venum-client.js'
import { Resources } from '../resources.js'
import type { SimulatedOutcome } from '../simulate/simulated-outcome.js'
import {
  SOLANA_HAS_NO_INVALIDATION,
  scriptSolanaSignature,
  startSolanaSimulation,
} from '../simulate/solana-simulation.js'
import { scriptTonTrace, startTonSimulation } from '../simulate/ton-simulation.js'
import { usageError } from '../usage.js'
import { jsonView } from './json-view.js'
import { liveView } from './live-view.js'
import { plainView } from './plain-view.js'
import { reachedResult, rejectedResult, type TrackResult } from './track-result.js'
import type { TrackView } from './track-view.js'

/** The flags of `chainstream track ton|solana`. */
export interface TrackOptions {
  readonly chain: 'ton' | 'solana'
  /** The trace hash or signature (already validated); optional only with `--simulate`. */
  readonly id?: string | undefined
  readonly until: ObservedTier
  /** 0: no time-out. */
  readonly timeoutMs: number
  readonly json: boolean
  readonly simulate: boolean
  readonly simulateOutcome?: SimulatedOutcome | undefined
  readonly seed: number
  readonly provider?: TonProviderName | undefined
  readonly network?: TonNetwork | undefined
  readonly baseUrl?: string | undefined
  readonly transport: 'sse' | 'ws'
}

/** A playable script of a simulated transaction. */
interface Script {
  play(signal: AbortSignal): Promise<void>
}

/** The provider, the id to track and (simulated) the script that moves it. */
async function setUp(options: TrackOptions, context: CommandContext, resources: Resources) {
  const outcome = options.simulateOutcome ?? 'success'
  if (options.chain === 'ton') {
    const lifecycle = { transport: options.transport === 'ws' ? 'websocket' : 'sse' } as const
    if (!options.simulate) {
      const connection = connectTon({ ...options, lifecycle }, context.env)
      return { ...connection, id: options.id as string, script: undefined as Script | undefined }
    }
    const simulation = resources.add(await startTonSimulation({ seed: options.seed }), (s) => s.close())
    const script = scriptTonTrace(simulation, outcome, options.id)
    return { ...connectTonSimulator(simulation, options.provider, lifecycle), id: script.id, script }
  }
  if (!options.simulate) {
    return { ...connectVenum(options.baseUrl, context.env), id: options.id as string, script: undefined }
  }
  const simulation = resources.add(await startSolanaSimulation(options.seed), (s) => s.close())
  const id = options.id ?? simulation.signature(1)
  const script = scriptSolanaSignature(simulation, outcome, id)
  const { simulator } = simulation
  return { ...connectVenumSimulator(simulator.url, simulator.apiKey), id, script }
}

function viewFor(options: TrackOptions, context: CommandContext): TrackView {
  if (options.json) return jsonView(context)
  return context.stdout.isTTY === true ? liveView(context) : plainView(context)
}

/**
 * Follows one transaction through its tiers until `--until` is reached (exit 0), it fails or is
 * invalidated (exit 1), or the outcome stays unknown — `--timeout`, or the watch stopped (exit 2).
 */
export async function track(options: TrackOptions, context: CommandContext): Promise<ExitCode> {
  if (!options.simulate && options.id === undefined) {
    throw usageError(
      `track ${options.chain} needs the ${options.chain === 'ton' ? 'trace hash' : 'signature'} to follow (or --simulate).`,
    )
  }
  if (!options.simulate && options.simulateOutcome !== undefined) {
    throw usageError('--simulate-outcome scripts the simulator: use it together with --simulate.')
  }
  if (options.chain === 'solana' && options.simulateOutcome === 'invalidated') {
    throw usageError(SOLANA_HAS_NO_INVALIDATION)
  }
  const resources = new Resources()
  const script = new AbortController()
  try {
    const { client, label, id, script: scripted } = await setUp(options, context, resources)
    resources.add(client, (c) => c.close())
    const tracker = resources.add(createTracker({ providers: [client] }), (t) => t.close())
    const tx = tracker.track({
      chain: options.chain,
      id,
      target: options.until,
      ...(options.timeoutMs > 0 ? { timeoutMs: options.timeoutMs } : {}),
    })
    const view = viewFor(options, context)
    view.start({ chain: options.chain, id: tx.id, until: options.until, label })
    let last: LifecycleUpdate = tx.current
    const stopViewing = tx.on('update', (update) => {
      last = update
      view.update(update)
    })
    const stopWarning = tracker.on('error', (error) =>
      view.warn(error instanceof Error ? error.message : String(error)),
    )
    const onInterrupt = () => tx.cancel('interrupted')
    if (context.interrupt.aborted) onInterrupt()
    else context.interrupt.addEventListener('abort', onInterrupt, { once: true })
    void scripted?.play(script.signal)

    let result: TrackResult
    try {
      result = reachedResult(await tx.reached(options.until))
    } catch (error) {
      result = rejectedResult(error, last, context.interrupt.aborted)
    }
    context.interrupt.removeEventListener('abort', onInterrupt)
    // Closing the tracker below cancels the track: that update is not part of the story shown.
    stopViewing()
    stopWarning()
    view.finish(result)
    return result.code
  } finally {
    script.abort()
    await resources.closeAll()
  }
}
