import { abortError } from '../errors/chainstream-error.js'

/**
 * Waits `ms` milliseconds; rejects with an `Aborted` error as soon as `signal` fires. The timer is cleared
 * either way, so an aborted wait leaves nothing behind.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
