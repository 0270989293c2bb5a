import { EXIT_CODES, type ExitCode } from '../exit-codes.js'

/** When a tail stops: after `--limit` lines, after `--duration`, on interrupt, or when its source ends. */
export interface TailLimits {
  /** Stop after this many events. */
  readonly limit?: number | undefined
  /** Stop after this many milliseconds (0 or absent: never). */
  readonly durationMs?: number | undefined
}

/**
 * The first reason a tail ends, as its exit code. `count()` is called per printed event; the first
 * `end()` wins and later ones are ignored.
 */
export class TailEnding {
  readonly #limit: number | undefined
  readonly #timer: ReturnType<typeof setTimeout> | undefined
  #count = 0
  #resolve!: (code: ExitCode) => void
  /** Resolves with the exit code once the tail should stop. */
  readonly done = new Promise<ExitCode>((resolve) => {
    this.#resolve = resolve
  })
  #ended = false

  constructor(limits: TailLimits, interrupt: AbortSignal) {
    this.#limit = limits.limit
    if (limits.durationMs !== undefined && limits.durationMs > 0) {
      this.#timer = setTimeout(() => this.end(EXIT_CODES.success), limits.durationMs)
    }
    if (interrupt.aborted) this.end(EXIT_CODES.interrupted)
    else interrupt.addEventListener('abort', () => this.end(EXIT_CODES.interrupted), { once: true })
  }

  /** Whether the tail has ended (events after it are not printed). */
  get ended(): boolean {
    return this.#ended
  }

  /** Counts one printed event; ends the tail at `--limit`. */
  count(): void {
    this.#count++
    if (this.#limit !== undefined && this.#count >= this.#limit) this.end(EXIT_CODES.success)
  }

  end(code: ExitCode): void {
    if (this.#ended) return
    this.#ended = true
    clearTimeout(this.#timer)
    this.#resolve(code)
  }
}
