import type { ChainstreamError } from '../errors/chainstream-error.js'
import { Emitter, type EventMap } from '../util/emitter.js'
import { BoundedQueue, type OverflowPolicy } from './bounded-queue.js'

/** Options of a {@link FanOut}. */
export interface FanOutOptions<TEvents> {
  /** Where a listener's exception (or rejected promise) goes; the emit loop carries on. */
  onListenerError: (error: unknown, event: keyof TEvents) => void
  /** Items buffered per `for await` consumer that has not pulled them yet. */
  bufferSize: number
  /** What a full consumer buffer does. */
  overflow: OverflowPolicy
  /** Called for every item a `dropOldest` buffer discards. */
  onDrop?: () => void
  /** Called when a `fail` buffer overflows (the owner usually ends everything with the error). */
  onOverflow?: (error: ChainstreamError) => void
}

/**
 * The consumer side every handle of the library shares (streams, watches, tracked transactions):
 * listeners by event name, any number of `for await` consumers of the items with a bounded buffer each,
 * and an end that finishes every consumer and settles {@link FanOut.closed} exactly once. Producers push;
 * nothing here ever blocks them.
 */
export class FanOut<TItem, TEvents extends EventMap<TEvents>> {
  readonly closed: Promise<ChainstreamError | undefined>
  readonly #emitter: Emitter<TEvents>
  /** Made by the first `for await` consumer: most handles have listeners only. */
  #iterators: Set<BoundedQueue<TItem>> | undefined
  readonly #options: FanOutOptions<TEvents>
  #resolveClosed!: (error: ChainstreamError | undefined) => void
  #endedWith: { error: ChainstreamError | undefined } | undefined

  constructor(options: FanOutOptions<TEvents>) {
    this.#options = options
    this.#emitter = new Emitter(options.onListenerError)
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  /** Whether {@link FanOut.end} was called. */
  get isEnded(): boolean {
    return this.#endedWith !== undefined
  }

  /** The error the fan-out ended with, if any. */
  get error(): ChainstreamError | undefined {
    return this.#endedWith?.error
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TEvents>(event: K, listener: TEvents[K]): () => void {
    return this.#emitter.on(event, listener)
  }

  /** Removes a listener. */
  off<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    this.#emitter.off(event, listener)
  }

  /** How many listeners `event` has (all events when omitted). */
  listenerCount(event?: keyof TEvents): number {
    return this.#emitter.count(event)
  }

  /** Calls every listener of `event`; a listener that throws is reported, never breaks the loop. */
  emit<K extends keyof TEvents>(event: K, ...args: Parameters<TEvents[K]>): void {
    this.#emitter.emit(event, ...args)
  }

  /** Hands `item` to every `for await` consumer. */
  push(item: TItem): void {
    // Most streams have handlers and no `for await` consumer: no Set iterator per event for them.
    if (!this.#iterators?.size) return
    for (const queue of this.#iterators) queue.push(item)
  }

  /**
   * A new `for await` consumer, first given `initial` (where the handle is now, for a late consumer).
   * Once ended, it yields `initial` and then ends (with the error, if there was one).
   */
  iterator(initial?: TItem): AsyncIterator<TItem> {
    const { bufferSize, overflow, onDrop, onOverflow } = this.#options
    const queue: BoundedQueue<TItem> = new BoundedQueue<TItem>(
      bufferSize,
      overflow,
      onDrop ?? noop,
      onOverflow ?? noop,
      () => this.#iterators?.delete(queue),
    )
    if (initial !== undefined) queue.push(initial)
    if (this.#endedWith) queue.end(this.#endedWith.error)
    else {
      this.#iterators ??= new Set()
      this.#iterators.add(queue)
    }
    return queue
  }

  /**
   * Ends every consumer (with `error`, if any) and settles {@link FanOut.closed}. Returns `false` when it
   * had already ended: the first end wins.
   */
  end(error: ChainstreamError | undefined): boolean {
    if (this.#endedWith) return false
    this.#endedWith = { error }
    for (const queue of this.#iterators ?? []) queue.end(error)
    this.#iterators?.clear()
    this.#resolveClosed(error)
    return true
  }

  /** Drops every listener (after the final events were emitted). */
  clearListeners(): void {
    this.#emitter.clear()
  }
}

const noop = () => {}
