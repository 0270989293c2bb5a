import { abortError, onAbort, sleep } from '@chainstream/core/provider'

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void

/**
 * The client-wide budget of open streams (`maxStreams`). Slots are granted first come, first served, so
 * one watch with thousands of signatures cannot starve a later `waitFor`.
 */
export class StreamSlots {
  #used = 0
  readonly #queue: { grant: (release: ReleaseSlot) => void }[] = []

  constructor(readonly max: number) {}

  /** Streams open (or opening) now. */
  get inUse(): number {
    return this.#used
  }

  /** A slot now, or `undefined` when none is free or others are already waiting. */
  tryAcquire(): ReleaseSlot | undefined {
    if (this.#used >= this.max || this.#queue.length > 0) return undefined
    this.#used++
    return this.#releaser()
  }

  /** Waits for a slot; rejects with `Aborted` when `signal` fires first. */
  acquire(signal: AbortSignal): Promise<ReleaseSlot> {
    const now = this.tryAcquire()
    if (now) return Promise.resolve(now)
    if (signal.aborted) return Promise.reject(abortError(signal, 'waiting for a stream slot'))
    return new Promise((resolve, reject) => {
      const entry = {
        grant: (release: ReleaseSlot) => {
          stop()
          resolve(release)
        },
      }
      const stop = onAbort(signal, () => {
        const index = this.#queue.indexOf(entry)
        if (index !== -1) this.#queue.splice(index, 1)
        reject(abortError(signal, 'waiting for a stream slot'))
      })
      this.#queue.push(entry)
    })
  }

  #releaser(): ReleaseSlot {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#queue.shift()
      // The slot passes straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      if (next) next.grant(this.#releaser())
      else this.#used--
    }
  }
}

/** Spaces calls out to at most `perSecond` per second (the 503 polling fallback's bound). */
export class RateGate {
  #next = 0
  readonly #perSecond: number

  constructor(perSecond: number) {
    this.#perSecond = perSecond
  }

  /** Resolves when the caller may make its call; rejects with `Aborted` when `signal` fires first. */
  async wait(signal: AbortSignal): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.#next)
    this.#next = at + 1000 / this.#perSecond
    if (at > now) await sleep(at - now, signal)
  }
}
