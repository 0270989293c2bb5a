import { abortError, ChainstreamError } from '../errors/chainstream-error.js'

/** Node and browsers fire a timer longer than 2³¹−1 ms at once: longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647

/**
 * Waits `ms` milliseconds; rejects with an `Aborted` error as soon as `signal` fires. The timer is cleared
 * either way, so an aborted wait leaves nothing behind. Waits longer than a timer can hold are chained
 * rather than firing at once.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  let left = Number.isNaN(ms) ? 0 : ms
  while (left > MAX_TIMER_MS) {
    await sleepOnce(MAX_TIMER_MS, signal)
    left -= MAX_TIMER_MS
  }
  return sleepOnce(Math.max(0, left), signal)
}

function sleepOnce(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, 'the wait'))
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal, 'the wait'))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Calls `listener` when `signal` aborts (at once if it already has); returns the function that removes it.
 * Keeping the removal explicit is what stops long-lived signals from collecting listeners.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {}
  if (signal.aborted) {
    listener()
    return () => {}
  }
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}

let ownReason: ChainstreamError | undefined
/**
 * The reason the client's own aborts carry (a connection or request it ended itself, not a failure).
 * `abort()` without a reason builds a DOMException, stack and all, every time; connections end often (one
 * per finished Venum stream of ten signatures), so one shared reason is made once.
 */
export function endedByClient(): ChainstreamError {
  ownReason ??= new ChainstreamError('Aborted', 'Ended by the client', { isRetryable: false })
  return ownReason
}
