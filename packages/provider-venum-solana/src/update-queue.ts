import type { VenumUpdate } from './venum-update.js'

/**
 * The buffer behind one `for await` over a watch. Unbounded on purpose: a watch emits at most five
 * updates per signature (four tiers and an end), so its output is bounded by what the caller asked to
 * watch, and dropping one would break the one-terminal-update promise.
 */
export class UpdateQueue implements AsyncIterator<VenumUpdate> {
  private items: VenumUpdate[] = []
  private head = 0
  private waiter:
    | { resolve: (r: IteratorResult<VenumUpdate>) => void; reject: (e: unknown) => void }
    | undefined
  private ended = false
  private failure: unknown

  constructor(private readonly onReturn: () => void) {}

  push(update: VenumUpdate): void {
    if (this.ended) return
    const waiter = this.waiter
    if (waiter) {
      this.waiter = undefined
      waiter.resolve({ value: update, done: false })
      return
    }
    this.items.push(update)
  }

  /** Ends after the buffered updates; with `error`, the next pull after them throws it. */
  end(error?: unknown): void {
    if (this.ended) return
    this.ended = true
    this.failure = error
    const waiter = this.waiter
    if (waiter && this.head === this.items.length) {
      this.waiter = undefined
      if (error !== undefined) waiter.reject(error)
      else waiter.resolve({ value: undefined, done: true })
    }
  }

  next(): Promise<IteratorResult<VenumUpdate>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++] as VenumUpdate
      // Compact now and then so a long watch does not keep every consumed update alive.
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }
      return Promise.resolve({ value, done: false })
    }
    if (this.ended) {
      if (this.failure !== undefined) {
        const failure = this.failure
        this.failure = undefined
        return Promise.reject(failure)
      }
      return Promise.resolve({ value: undefined, done: true })
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject }
    })
  }

  return(): Promise<IteratorResult<VenumUpdate>> {
    this.ended = true
    this.failure = undefined
    this.items = []
    this.head = 0
    this.onReturn()
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.resolve({ value: undefined, done: true })
    return Promise.resolve({ value: undefined, done: true })
  }
}
