import type { ChainstreamError, ConnectionState, Diagnostic } from '@chainstream/core'
import { createTonSimulator, type TonSimulator, type TonSimulatorOptions } from '@chainstream/testkit'
import type { TonEvent } from './ton-event.js'
import type { TonStream } from './ton-stream.js'

/** Everything a stream reported, for assertions. */
export interface Recorded {
  events: TonEvent[]
  states: ConnectionState[]
  errors: ChainstreamError[]
  diagnostics: Diagnostic[]
}

/** Records a stream's events, states, errors and diagnostics. */
export function record(stream: TonStream): Recorded {
  const seen: Recorded = { events: [], states: [], errors: [], diagnostics: [] }
  stream.on('event', (event) => {
    seen.events.push(event)
  })
  stream.on('state', (state) => {
    seen.states.push(state)
  })
  stream.on('error', (error) => {
    seen.errors.push(error)
  })
  stream.on('diagnostic', (diagnostic) => {
    seen.diagnostics.push(diagnostic)
  })
  return seen
}

/** Polls until `predicate` holds. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Waits a little (for "nothing else arrives" assertions). */
export const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms))

/** A short label of an event, for readable assertions: `transactions finalized stream <hash>`. */
export function label(event: TonEvent, withHash = false): string {
  const finality = 'finality' in event ? ` ${event.finality}` : ''
  const hash =
    withHash && 'trace_external_hash_norm' in event ? ` ${event.trace_external_hash_norm.slice(0, 8)}` : ''
  return `${event.type}${finality} ${event.source}${hash}`
}

/** Fast reconnects for tests. */
export const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 100 }

/** Starts a simulator and registers it (and streams) for cleanup. */
export function simulatorHarness() {
  const sims: TonSimulator[] = []
  const streams: TonStream[] = []
  return {
    async start(options: TonSimulatorOptions = {}): Promise<TonSimulator> {
      const sim = await createTonSimulator({ keepaliveMs: 1_000, lingerMs: 0, ...options })
      sims.push(sim)
      return sim
    },
    track<T extends TonStream>(stream: T): T {
      streams.push(stream)
      return stream
    },
    async cleanup(): Promise<void> {
      await Promise.all(streams.splice(0).map((stream) => stream.close()))
      await Promise.all(sims.splice(0).map((sim) => sim.close()))
    },
  }
}
