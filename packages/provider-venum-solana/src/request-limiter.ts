/**
 * An entry of the queue: `grant` is offered a free slot and answers whether it took it. A single call
 * takes one and leaves (its `grant` cleared, as when its signal fired while it waited); a batch
 * ({@link RequestLimiter.each}) takes one per item and stays at the head of the queue until it has none
 * left to start.
 */
interface Waiter {
  grant: (() => boolean) | undefined
}

/**
 * Bounds the REST calls in flight over a whole client, so a snapshot of thousands of signatures after a
 * reconnect does not open thousands of sockets at once.
 */
export class RequestLimiter {
  #active = 0
  #waiting: Waiter[] = []
  #head = 0
  readonly #limit: number

  constructor(limit: number) {
    this.#limit = limit
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#turn(undefined)
    try {
      return await work()
    } finally {
      this.#done()
    }
  }

  /**
   * Like {@link run}, but asks `wanted()` once its turn has come and skips the work (resolving
   * `undefined`) when it is no longer wanted — a final lookup of a signature nobody watches any more —
   * or when `signal` has fired by then, without taking the slot. (No listener on `signal` per queued
   * call: many wait on one pool's signal at once.)
   */
  async runIfWanted<T>(
    work: () => Promise<T>,
    wanted: () => boolean,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    if (!(await this.#turn(signal))) return undefined
    try {
      return wanted() ? await work() : undefined
    } finally {
      this.#done()
    }
  }

  /**
   * Runs `task(item)` for every item, within the same bound as every other call, but as one entry of the
   * queue however many items there are (a snapshot of a stream's signatures waits as one small entry, not
   * as a chain of promises per signature). Items start in order as slots free; one no longer `wanted`
   * when its turn comes is skipped. `cancel()` drops the items not started yet at once, and with them
   * the entry's hold on whatever `task` and `wanted` refer to. `done` settles once every started task
   * has; a task handles its own errors.
   */
  each<I>(
    items: readonly I[],
    task: (item: I) => Promise<void>,
    wanted: (item: I) => boolean,
  ): { done: Promise<void>; cancel: () => void } {
    let index = 0
    let running = 0
    let cancelled = false
    let resolveDone!: () => void
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve
    })
    const entry: Waiter = { grant: undefined }
    const settle = () => {
      if (running > 0 || (index < items.length && !cancelled)) return
      entry.grant = undefined
      resolveDone()
    }
    const finished = () => {
      running--
      this.#done()
      settle()
    }
    // Starts the next wanted item in a free slot; `false` when none is left to start.
    const startNext = (): boolean => {
      while (index < items.length && !cancelled) {
        const item = items[index++] as I
        if (!wanted(item)) continue
        running++
        task(item).then(finished, finished)
        return true
      }
      return false
    }
    entry.grant = startNext
    if (this.#head >= this.#waiting.length) {
      while (this.#active < this.#limit && startNext()) this.#active++
    }
    if (index < items.length) this.#waiting.push(entry)
    settle()
    return {
      done,
      cancel: () => {
        cancelled = true
        settle()
      },
    }
  }

  /** Resolves `true` with a slot taken, or `false` when `signal` had fired by its turn. */
  #turn(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false)
    if (this.#active < this.#limit && this.#head >= this.#waiting.length) {
      this.#active++
      return Promise.resolve(true)
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          waiter.grant = undefined
          const go = !signal?.aborted
          resolve(go)
          return go
        },
      }
      this.#waiting.push(waiter)
    })
  }

  #done(): void {
    // The slot passes straight to the next entry that takes it (the count stays), past the ones that left
    // or have nothing left to start.
    while (this.#head < this.#waiting.length) {
      const waiter = this.#waiting[this.#head] as Waiter
      if (waiter.grant?.()) {
        this.#compact()
        return
      }
      this.#head++
    }
    this.#waiting = []
    this.#head = 0
    this.#active--
  }

  /** Drops the consumed front of the queue once it is most of it. */
  #compact(): void {
    if (this.#head > 1_024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head)
      this.#head = 0
    }
  }
}
