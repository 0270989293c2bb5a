/** Resolves after `ms` (a plain timer: the harness's own waits are not product timers). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** One turn of the event loop: lets socket reads and writes queued so far run. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Polls `predicate` until it holds or `timeoutMs` passed; resolves with whether it held. Never throws:
 * a condition that never came is an oracle's verdict to give, not a harness crash.
 */
export async function until(predicate: () => boolean, timeoutMs: number, intervalMs = 2): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() >= deadline) return false
    await sleep(intervalMs)
  }
  return true
}

/** How long `done()` must go on holding, with no progress, before {@link untilSettled} believes it. */
export const SETTLE_GRACE_MS = 50

/**
 * Waits until `done()` holds, giving up after `idleMs` without progress (or `capMs` in all). `progress()`
 * is any number that grows while the consumer is still working things out — events delivered, requests
 * made — so a slow but live recovery is not cut short, and a dead one is not waited for long.
 *
 * `done()` must still hold `graceMs` later with no progress meanwhile: what is owed can change after it
 * first holds. A TON trace retracted before the tracker saw anything of it owes no terminal — until a
 * snapshot look-up sent before the retraction answers `confirmed` a moment later, and the re-checks that
 * bring its invalidation are still to come (chaos seed 100350 was judged in that moment).
 */
export async function untilSettled(
  done: () => boolean,
  progress: () => number,
  idleMs = 3_000,
  capMs = 10_000,
  graceMs = SETTLE_GRACE_MS,
): Promise<boolean> {
  const started = Date.now()
  let last = progress()
  let since = started
  for (;;) {
    if (done()) {
      const before = progress()
      await sleep(graceMs)
      if (done() && progress() === before) return true
    }
    const now = Date.now()
    const current = progress()
    if (current !== last) {
      last = current
      since = now
    }
    if (now - since >= idleMs || now - started >= capMs) return false
    await sleep(5)
  }
}

let order = 0

/**
 * A process-wide counter telling exactly what happened first — an abort or a resolution — where two
 * timestamps of the same millisecond could not.
 */
export const nextOrder = (): number => ++order

/** Settles a promise into a value the oracle can inspect later, without unhandled rejections. */
export interface Settled<T> {
  state: 'pending' | 'resolved' | 'rejected'
  value?: T
  error?: unknown
  /** `Date.now()` when it settled. */
  at?: number
  /** {@link nextOrder} when it settled. */
  order?: number
}

export function observe<T>(promise: Promise<T>): Settled<T> {
  const settled: Settled<T> = { state: 'pending' }
  promise.then(
    (value) => {
      settled.state = 'resolved'
      settled.value = value
      settled.at = Date.now()
      settled.order = nextOrder()
    },
    (error: unknown) => {
      settled.state = 'rejected'
      settled.error = error
      settled.at = Date.now()
      settled.order = nextOrder()
    },
  )
  return settled
}
