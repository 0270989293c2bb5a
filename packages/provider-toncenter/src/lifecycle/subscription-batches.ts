import type { ChainstreamError } from '@chainstream/core'
import { type Settlement, settlement } from '../settlement.js'

/** One subscription change: the adds and removes requested before it started, and who waits for it. */
export interface SubscriptionBatch {
  /** Settles once the change is applied (or failed); never an unhandled rejection. */
  readonly promise: Promise<void>
  /** The ids whose `add()` waits on this batch. */
  readonly ids: Set<string>
}

interface OpenBatch extends SubscriptionBatch, Settlement {}

// Nobody may be waiting (an idle check, a removal): the settlement handles its own rejection.
const newBatch = (): OpenBatch => ({ ...settlement(), ids: new Set() })

/**
 * Turns the adds and removes of a watch into subscription changes, one at a time: everything requested in
 * the same turn of the event loop (or within `delayMs`) is one batch, and a batch requested while another
 * is being applied waits for it and then goes as one. Applying means calling `apply`, which brings the
 * server's set in line with whatever is tracked by then — so a batch carries no ids of its own beyond
 * the ones whose `add()` waits on it.
 */
export class SubscriptionBatches {
  /** The next change, collecting requests. */
  #pending: OpenBatch | undefined
  /** The change being applied now. */
  #inflight: OpenBatch | undefined
  #running = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  readonly #delayMs: number
  readonly #apply: () => Promise<void>
  readonly #failed: (ids: ReadonlySet<string>) => void

  constructor(
    delayMs: number,
    /** Applies the tracked set to the server; rejects when the server did not take it. */
    apply: () => Promise<void>,
    /** A batch failed: its waiting `ids` were told by the rejection; undo what did not reach the server. */
    failed: (ids: ReadonlySet<string>) => void,
  ) {
    this.#delayMs = delayMs
    this.#apply = apply
    this.#failed = failed
  }

  /** The batch that will carry the next change (started after `delayMs` unless one is under way). */
  request(): SubscriptionBatch {
    this.#pending ??= newBatch()
    if (!this.#running && !this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        void this.#run()
      }, this.#delayMs)
    }
    return this.#pending
  }

  /** The ids whose `add()` still waits (on the change under way or the next one). */
  waiting(): Set<string> {
    return new Set([...(this.#inflight?.ids ?? []), ...(this.#pending?.ids ?? [])])
  }

  /** Stops: no further change is applied, and the next one's waiters get `reason`. */
  close(reason: ChainstreamError): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending?.reject(reason)
    this.#pending = undefined
  }

  async #run(): Promise<void> {
    if (this.#running || this.#closed) return
    this.#running = true
    try {
      while (this.#pending && !this.#closed) {
        const batch = this.#pending
        this.#pending = undefined
        this.#inflight = batch
        try {
          await this.#apply()
          batch.resolve()
        } catch (error) {
          this.#failed(batch.ids)
          batch.reject(error)
        } finally {
          this.#inflight = undefined
        }
      }
    } finally {
      this.#running = false
    }
  }
}
