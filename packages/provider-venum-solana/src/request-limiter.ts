import { onAbort } from '@chainstream/core/provider'

/** A queued call: `grant` starts it; cleared when its signal fired while it waited. */
interface Waiter {
  grant: (() => void) | undefined
}

/**
 * Bounds the REST calls in flight over a whole client, so a snapshot of thousands of signatures after a
 * reconnect does not open thousands of sockets at once.
 */
export class RequestLimiter {
  private active = 0
  private waiting: Waiter[] = []
  private head = 0

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.turn(undefined)
    try {
      return await work()
    } finally {
      this.done()
    }
  }

  /**
   * Like {@link run}, but asks `wanted()` once its turn has come and skips the work (resolving
   * `undefined`) when it is no longer wanted — a snapshot of a signature that ended while queued. When
   * `signal` fires while it waits, it leaves the queue at once (resolving `undefined`): a queued snapshot
   * of a stream that closed must not keep that stream's objects alive until its turn.
   */
  async runIfWanted<T>(
    work: () => Promise<T>,
    wanted: () => boolean,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    if (!(await this.turn(signal))) return undefined
    try {
      return wanted() ? await work() : undefined
    } finally {
      this.done()
    }
  }

  /** Resolves `true` with a slot taken, or `false` when `signal` fired first. */
  private turn(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false)
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve(true)
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          stop()
          resolve(true)
        },
      }
      const stop = onAbort(signal, () => {
        waiter.grant = undefined
        resolve(false)
      })
      this.waiting.push(waiter)
    })
  }

  private done(): void {
    // The slot passes straight to the next live waiter (the count stays), skipping the ones that left.
    while (this.head < this.waiting.length) {
      const waiter = this.waiting[this.head++] as Waiter
      if (waiter.grant) {
        this.compact()
        waiter.grant()
        return
      }
    }
    this.waiting = []
    this.head = 0
    this.active--
  }

  /** Drops the consumed front of the queue once it is most of it. */
  private compact(): void {
    if (this.head > 1_024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head)
      this.head = 0
    }
  }
}
