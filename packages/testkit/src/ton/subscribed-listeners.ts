import type { TonSession } from './session.js'

/**
 * Runs right after a subscription acknowledgement was written (SSE `connected`, WebSocket `subscribed`),
 * synchronously, with the session's socket corked until the next macrotask: whatever it emits
 * synchronously (`trace.advance()`, `sim.broadcast()`, …) leaves in the same socket write as the ack.
 */
export type TonSubscribedListener = (session: TonSession) => void

/** The simulator's `onSubscribed` listeners. */
export class SubscribedListeners {
  readonly #listeners = new Set<TonSubscribedListener>()

  /** Whether acknowledgements need corking at all. */
  get any(): boolean {
    return this.#listeners.size > 0
  }

  /** Adds a listener; returns its removal. */
  add(listener: TonSubscribedListener): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  notify(session: TonSession): void {
    for (const listener of this.#listeners) {
      try {
        listener(session)
      } catch (error) {
        // A test's listener failing must fail the test, not the connection it was watching.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}
