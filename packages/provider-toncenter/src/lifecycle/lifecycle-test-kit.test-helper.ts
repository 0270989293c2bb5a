import {
  createTracker,
  type Diagnostic,
  type LifecycleUpdate,
  type TrackedTransaction,
  type Tracker,
} from '@chainstream/core'
import { createTonSimulator, type TonSimulator, type TonSimulatorOptions } from '@chainstream/testkit'
import { createToncenter } from '../toncenter.js'
import type { TonLifecycleOptions } from './lifecycle-options.js'

export const KEY = 'lifecycle-key-0001'

/** Fast reconnects and re-checks for tests. */
export const FAST: TonLifecycleOptions = {
  reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  notFoundGraceMs: 50,
  recheckIntervalMs: 200,
}

/** Polls until `predicate` holds. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Every update of a track, from now on. */
export function updatesOf(tx: TrackedTransaction): LifecycleUpdate[] {
  const out: LifecycleUpdate[] = []
  tx.on('update', (update) => {
    out.push(update)
  })
  return out
}

/** A simulator and a tracker over `createToncenter(...)` against it; everything closed by `cleanup()`. */
export function lifecycleHarness() {
  const sims: TonSimulator[] = []
  const trackers: Tracker[] = []
  return {
    async start(options: { sim?: TonSimulatorOptions; lifecycle?: TonLifecycleOptions } = {}) {
      const sim = await createTonSimulator({ keepaliveMs: 1_000, lingerMs: 0, ...options.sim })
      sims.push(sim)
      const toncenter = createToncenter({
        apiKey: KEY,
        baseUrl: sim.toncenter.baseUrl,
        lifecycle: { ...FAST, ...options.lifecycle },
      })
      const tracker = createTracker({ providers: [toncenter] })
      trackers.push(tracker)
      const errors: unknown[] = []
      const diagnostics: Diagnostic[] = []
      const terminals = new Map<string, number>()
      tracker.on('error', (error) => {
        errors.push(error)
      })
      tracker.on('diagnostic', (diagnostic) => {
        diagnostics.push(diagnostic)
      })
      tracker.on('update', (update) => {
        if (update.terminal) terminals.set(update.id, (terminals.get(update.id) ?? 0) + 1)
      })
      /** Resolves once some session of the simulator subscribes to every one of `hashes`. */
      const subscribed = (hashes: readonly string[], timeoutMs = 5_000) =>
        until(
          () =>
            sim.sessions.some(
              (session) =>
                !session.isClosed &&
                hashes.every((hash) => session.subscription.traceExternalHashNorms.includes(hash)),
            ),
          timeoutMs,
          'subscribed',
        )
      return { sim, toncenter, tracker, errors, diagnostics, terminals, subscribed }
    },
    async cleanup(): Promise<void> {
      await Promise.all(trackers.splice(0).map((tracker) => tracker.close()))
      await Promise.all(sims.splice(0).map((sim) => sim.close()))
    },
  }
}

/** The `subscribe` operations a WebSocket session received. */
export function subscribeOperations(received: readonly string[]): Record<string, unknown>[] {
  return received
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((message) => message.operation === 'subscribe')
}
