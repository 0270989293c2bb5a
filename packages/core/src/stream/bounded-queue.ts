import { ChainstreamError } from '../errors/chainstream-error.js'

/** What happens when a consumer falls behind and its buffer is full. */
export type OverflowPolicy = 'fail' | 'dropOldest'

/** Options of the buffer between the socket and a slow `for await` consumer. */
export interface BufferOptions {
  /** Events held for a consumer that has not pulled them yet. @default 10_000 */
  size?: number
  /**
   * `'fail'` ends the stream with a `BufferOverflow` error rather than lose an event silently;
   * `'dropOldest'` discards the oldest buffered event and counts it in `counters.dropped`. @default 'fail'
   */
  overflow?: OverflowPolicy
}

const INITIAL_SLOTS = 64

/**
 * A bounded FIFO feeding one async iterator. Pushing never blocks (the socket must keep being read);
 * a full queue applies the overflow policy. Implemented as a ring buffer that grows on demand up to its
 * capacity (`Infinity` for a queue whose producer is bounded by other means), so a long-running stream
 * does not shift arrays and an idle iterator holds no large array.
 */
export class BoundedQueue<T> implements AsyncIterator<T> {
  #items: (T | undefined)[]
  #head = 0
  #length = 0
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined
  #ended = false
  #failure: unknown

  readonly #capacity: number
  readonly #policy: OverflowPolicy
  readonly #onDrop: () => void
  readonly #onOverflow: (error: ChainstreamError) => void
  readonly #onReturn: () => void

  constructor(
    capacity: number,
    policy: OverflowPolicy,
    onDrop: () => void,
    onOverflow: (error: ChainstreamError) => void,
    onReturn: () => void,
  ) {
    this.#capacity = capacity
    this.#policy = policy
    this.#onDrop = onDrop
    this.#onOverflow = onOverflow
    this.#onReturn = onReturn

    this.#items = new Array(Math.min(capacity, INITIAL_SLOTS))
  }

  /** Buffered, not yet pulled. */
  get size(): number {
    return this.#length
  }

  /** Adds an item for the consumer; on a full buffer applies the overflow policy. */
  push(item: T): void {
    if (this.#ended) return
    const waiter = this.#waiter
    if (waiter) {
      this.#waiter = undefined
      waiter.resolve({ value: item, done: false })
      return
    }
    if (this.#length === this.#capacity) {
      if (this.#policy === 'dropOldest') {
        this.#items[this.#head] = undefined
        this.#head = (this.#head + 1) % this.#items.length
        this.#length--
        this.#onDrop()
      } else {
        this.#onOverflow(
          new ChainstreamError(
            'BufferOverflow',
            `A for-await consumer fell ${this.#capacity} events behind. Consume faster, raise buffer.size, or set buffer.overflow to 'dropOldest' to drop (and count) old events instead.`,
            { isRetryable: false },
          ),
        )
        return
      }
    }
    if (this.#length === this.#items.length) this.#grow()
    this.#items[(this.#head + this.#length) % this.#items.length] = item
    this.#length++
  }

  /** Ends the iteration after the buffered items; with `error`, the consumer's next pull throws it. */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.#failure = error
    const waiter = this.#waiter
    if (waiter && this.#length === 0) {
      this.#waiter = undefined
      if (error !== undefined) waiter.reject(error)
      else waiter.resolve({ value: undefined, done: true })
    }
  }

  /** The next item, waiting for one; done once the queue is closed and drained (or rejects with its error). */
  next(): Promise<IteratorResult<T>> {
    if (this.#length > 0) {
      const value = this.#items[this.#head] as T
      this.#items[this.#head] = undefined
      this.#head = (this.#head + 1) % this.#items.length
      this.#length--
      return Promise.resolve({ value, done: false })
    }
    if (this.#ended) {
      if (this.#failure !== undefined) {
        const failure = this.#failure
        this.#failure = undefined
        return Promise.reject(failure)
      }
      return Promise.resolve({ value: undefined, done: true })
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  /** Doubles the ring (up to the capacity), laying the items out from index 0. */
  #grow(): void {
    const size = this.#items.length
    const next: (T | undefined)[] = new Array(Math.min(this.#capacity, Math.max(1, size * 2)))
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[(this.#head + i) % size]
    this.#items = next
    this.#head = 0
  }

  /** The consumer stopped early (`break` out of `for await`): the queue is closed and its items dropped. */
  return(): Promise<IteratorResult<T>> {
    this.#ended = true
    this.#failure = undefined
    this.#length = 0
    this.#items = []
    this.#onReturn()
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.resolve({ value: undefined, done: true })
    return Promise.resolve({ value: undefined, done: true })
  }
}
