/** Shared set-up of the provider's tests: a simulator per test, a client on it, and update recorders. */
import {
  createVenumSimulator,
  type VenumSimulator,
  type VenumSimulatorOptions,
  venumSignature,
} from '@chainstream/testkit'
import { afterEach } from 'vitest'
import { createVenum, type Venum } from './create-venum.js'
import type { VenumOptions } from './venum-options.js'
import type { VenumUpdate } from './venum-update.js'
import type { VenumWatch } from './venum-watch-types.js'

/** Deterministic valid signatures. */
export const sig = (n: number) => venumSignature(n, 4)

/** Fast reconnects for tests: a dropped stream comes back within tens of milliseconds. */
export const FAST_RECONNECT = { initialDelayMs: 5, maxDelayMs: 40 }

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A simulator and a client on it, both torn down after the test. */
export async function setup(
  simOptions: VenumSimulatorOptions = {},
  clientOptions: Partial<VenumOptions> = {},
): Promise<{ sim: VenumSimulator; venum: Venum; watches: VenumWatch[] }> {
  const sim = await createVenumSimulator(simOptions)
  const watches: VenumWatch[] = []
  const venum = createVenum({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    reconnect: FAST_RECONNECT,
    ...clientOptions,
  })
  const original = venum.watch
  venum.watch = (options) => {
    const watch = original(options)
    watches.push(watch)
    return watch
  }
  cleanups.push(async () => {
    await Promise.all(watches.map((w) => w.close()))
    await sim.close()
  })
  return { sim, venum, watches }
}

/** Collects every update of a watch, grouped per signature too. */
export function record(watch: VenumWatch) {
  const updates: VenumUpdate[] = []
  watch.on('update', (u) => updates.push(u))
  return {
    updates,
    of: (signature: string) => updates.filter((u) => u.signature === signature),
    statuses: (signature: string) => updates.filter((u) => u.signature === signature).map((u) => u.status),
  }
}

/** Polls `predicate` until it holds. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The signatures of a stream request URL. */
export const signaturesOf = (url: string) =>
  new URL(url, 'http://x').searchParams.get('signatures')?.split(',') ?? []
