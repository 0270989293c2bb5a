import { abortError, ChainstreamError } from '../errors/chainstream-error.js'
import { onAbort } from '../util/abort.js'
import type { ConnectionState } from './stream-types.js'

/** What {@link SubscribedWaiters} reads from the handle it serves. */
export interface SubscribedWaitersHost {
  /** The handle's state now. */
  readonly state: ConnectionState
  /** Why a wait cannot succeed once the handle is closed (its fatal error, or `Closed`). */
  closedError(what: string): ChainstreamError
  /** The last error seen, as the cause of a `SubscribeTimeout`. */
  readonly lastError?: ChainstreamError | undefined
}

/**
 * `waitSubscribed()` for any handle with a connection state (a stream, a shared stream's consumer): at once
 * when subscribed, a rejection when closed, otherwise a wait until one of them, a time-out or an abort —
 * leaving no timer or listener behind whichever comes first. The handle calls {@link notify} on every
 * state change.
 */
export class SubscribedWaiters {
  /** Made by the first wait that has to wait: most handles are never waited on. */
  #waiters: Set<() => void> | undefined

  readonly #host: SubscribedWaitersHost

  constructor(host: SubscribedWaitersHost) {
    this.#host = host
  }

  /** Resolves once the stream is subscribed (at once if it is); rejects on time-out, abort, or when it ends. */
  wait(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const host = this.#host
    if (host.state === 'subscribed') return Promise.resolve()
    if (host.state === 'closed') return Promise.reject(host.closedError('waitSubscribed'))
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal, 'waitSubscribed'))
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const cleanup = () => {
        this.#waiters?.delete(check)
        if (timer) clearTimeout(timer)
        removeAbort()
      }
      const check = () => {
        if (host.state === 'subscribed') {
          cleanup()
          resolve()
        } else if (host.state === 'closed') {
          cleanup()
          reject(host.closedError('waitSubscribed'))
        }
      }
      const removeAbort = onAbort(options.signal, () => {
        cleanup()
        reject(abortError(options.signal, 'waitSubscribed'))
      })
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup()
          const cause = host.lastError
          reject(
            new ChainstreamError(
              'SubscribeTimeout',
              `The stream was not subscribed within ${options.timeoutMs} ms (state: ${host.state})`,
              { isRetryable: true, ...(cause ? { cause } : {}) },
            ),
          )
        }, options.timeoutMs)
      }
      this.#waiters ??= new Set()
      this.#waiters.add(check)
    })
  }

  /** The state changed: settle whoever it concerns. */
  notify(): void {
    if (this.#waiters?.size) for (const waiter of [...this.#waiters]) waiter()
  }
}
