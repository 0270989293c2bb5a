/** The listener signatures of an {@link Emitter}, keyed by event name. */
// biome-ignore lint/suspicious/noExplicitAny: listeners of any signature, keyed by event name
export type EventMap<E> = { [K in keyof E]: (...args: any[]) => unknown }

/**
 * A small typed event emitter. A listener that throws (or returns a rejected promise) never breaks the
 * emit loop or the caller: the error goes to `onListenerError`. Listeners are held in arrays that are
 * replaced on change, so emitting needs no copy and removal during an emit is safe.
 */
export class Emitter<E extends EventMap<E>> {
  #listeners = new Map<keyof E, E[keyof E][]>()

  readonly #onListenerError: (error: unknown, event: keyof E) => void

  constructor(onListenerError: (error: unknown, event: keyof E) => void) {
    this.#onListenerError = onListenerError
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    const current = this.#listeners.get(event) ?? []
    this.#listeners.set(event, [...current, listener])
    return () => this.off(event, listener)
  }

  /** Removes a listener (the first registration of it). */
  off<K extends keyof E>(event: K, listener: E[K]): void {
    const current = this.#listeners.get(event)
    if (!current) return
    const index = current.indexOf(listener)
    if (index === -1) return
    const next = current.slice()
    next.splice(index, 1)
    if (next.length === 0) this.#listeners.delete(event)
    else this.#listeners.set(event, next)
  }

  /** Whether `event` has at least one listener. */
  has(event: keyof E): boolean {
    return this.#listeners.has(event)
  }

  /** How many listeners `event` has, or all events together when none is given. */
  count(event?: keyof E): number {
    if (event !== undefined) return this.#listeners.get(event)?.length ?? 0
    let total = 0
    for (const list of this.#listeners.values()) total += list.length
    return total
  }

  /** Calls every listener of `event` with `args`; errors go to `onListenerError`. */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.#listeners.get(event)
    if (!list) return
    for (const listener of list) {
      try {
        const result = listener(...args)
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          ;(result as Promise<unknown>).then(undefined, (error: unknown) =>
            this.#onListenerError(error, event),
          )
        }
      } catch (error) {
        this.#onListenerError(error, event)
      }
    }
  }

  /** Removes every listener of every event. */
  clear(): void {
    this.#listeners.clear()
  }
}
