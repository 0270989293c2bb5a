import { setTimeout as sleep } from 'node:timers/promises'
import type { TonSession, TonSimulator, TonTraceHandle } from '@chainstream/testkit'
import { SIMULATED_STEP_MS, type SimulatedOutcome } from './simulated-outcome.js'

/** A TON simulator running in this process (TON Center Streaming v2 and API v3 on loopback). */
export interface TonSimulation {
  readonly simulator: TonSimulator
  /** Where it listens (both services' paths). */
  readonly url: string
  /** Its API v3, for recovery and the tracker's snapshots. */
  readonly v3BaseUrl: string
  close(): Promise<void>
}

/**
 * Starts the testkit's TON simulator. The testkit is imported only here, so a run against a real service
 * never loads it. `addresses` become the simulated wallets, so a tail of one's own addresses shows traffic.
 */
export async function startTonSimulation(options: {
  readonly seed: number
  readonly addresses?: readonly string[] | undefined
}): Promise<TonSimulation> {
  const { createTonSimulator } = await import('@chainstream/testkit')
  const simulator = await createTonSimulator({
    seed: options.seed,
    keepaliveMs: 1_000,
    lingerMs: 0,
    startUtime: Math.floor(Date.now() / 1000),
    ...(options.addresses !== undefined && options.addresses.length > 0
      ? { addresses: options.addresses }
      : {}),
  })
  return {
    simulator,
    url: simulator.url,
    v3BaseUrl: simulator.toncenter.v3BaseUrl,
    close: () => simulator.close(),
  }
}

/** The stages and failure flag that make a simulated trace end as `outcome`. */
function traceScript(outcome: SimulatedOutcome) {
  switch (outcome) {
    case 'success':
      return { stages: ['pending', 'confirmed', 'finalized'] as const, failed: false }
    case 'failure':
      // A bounced first hop: failure is visible from the first (pending) snapshot on.
      return { stages: ['pending', 'confirmed', 'finalized'] as const, failed: true }
    case 'invalidated':
      return { stages: ['pending', 'confirmed', 'invalidated'] as const, failed: false }
    case 'stalled':
      return { stages: ['pending'] as const, failed: false }
  }
}

/**
 * Plans a trace (with `id` as its hash when given) that will end as `outcome`. Nothing is sent until
 * `play()`, so the tracker can start following the hash first.
 */
export function scriptTonTrace(simulation: TonSimulation, outcome: SimulatedOutcome, id?: string) {
  const { simulator } = simulation
  const { stages, failed } = traceScript(outcome)
  const handle: TonTraceHandle = simulator.emitTrace({
    addresses: simulator.addresses.slice(0, 2),
    stages,
    failed,
    ...(id === undefined ? {} : { traceExternalHashNorm: id }),
  })
  return {
    id: handle.traceExternalHashNorm,
    /**
     * Once a stream follows the trace, emits the stages one step apart until they are all out or
     * `signal` aborts. Waiting for the subscription keeps the story whole on a slow machine: a stage
     * emitted before it would be seen only through a snapshot (and a passed `pending` not at all).
     */
    async play(signal: AbortSignal): Promise<void> {
      await followed(simulator, handle.traceExternalHashNorm, signal)
      while (!signal.aborted) {
        // An abort ends the wait early (and is then seen by the loop), it is not an error here.
        await sleep(SIMULATED_STEP_MS, undefined, { signal }).catch(() => {})
        if (signal.aborted || (await handle.advance()) === undefined) return
      }
    },
  }
}

/** Resolves once a session of the simulator is subscribed to `trace` (or `signal` aborts). */
function followed(simulator: TonSimulator, trace: string, signal: AbortSignal): Promise<void> {
  const follows = (session: TonSession) =>
    !session.isClosed && session.subscription.traceExternalHashNorms.includes(trace)
  if (simulator.sessions.some(follows)) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stop()
      signal.removeEventListener('abort', done)
      resolve()
    }
    const stop = simulator.onSubscribed((session) => {
      if (follows(session)) done()
    })
    signal.addEventListener('abort', done, { once: true })
  })
}
