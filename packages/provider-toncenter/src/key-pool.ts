import type { ChainstreamError } from '@chainstream/core'
import { bodyMessage, registerSecret } from '@chainstream/core/provider'

/**
 * The API keys of one client, in order of preference, and which one is in use: shared by every
 * connection of the client and by its API v3 requests, so a rotation on one is seen by all. Each key is
 * registered for redaction once, here.
 */
export class KeyRing {
  #index = 0
  readonly keys: readonly string[]

  constructor(keys: readonly string[]) {
    this.keys = keys
    for (const key of keys) registerSecret(key)
  }

  /** The key to use now (undefined when keyless). */
  get current(): string | undefined {
    return this.keys[this.#index]
  }

  /** Moves to the next key (no-op with fewer than two). */
  rotate(): void {
    if (this.keys.length > 1) this.#index = (this.#index + 1) % this.keys.length
  }
}

/** Options of {@link KeyPool}. */
export interface KeyPoolOptions {
  /**
   * The keys, in order of preference (a client's shared ring, or a list). Empty: keyless (the public
   * host then answers a limit of 0).
   */
  keys: readonly string[] | KeyRing
  /** How long `ConnectionLimit` answers are retried before giving up (per run of failures). */
  connectionLimitRetryMs: number
  /** Provider name for messages. */
  provider: string
  /** Clock (tests pin it). */
  now?: () => number
}

/**
 * What one connection does when the server says the connection limit is reached, over the client's keys.
 * Several keys: move to the next key at once. One key: the server may still be holding the session that
 * just dropped (for about a minute), so keep retrying with backoff for a bounded time, then fail with a
 * typed `ConnectionLimit` carrying the number of attempts. No key: fail at once with a hint.
 */
export class KeyPool {
  readonly #ring: KeyRing
  #limitedSince: number | undefined
  #limitAttempts = 0
  readonly #now: () => number

  readonly #options: KeyPoolOptions

  constructor(options: KeyPoolOptions) {
    this.#options = options

    this.#ring = options.keys instanceof KeyRing ? options.keys : new KeyRing(options.keys)
    this.#now = options.now ?? Date.now
  }

  /** The key to use now (undefined when keyless). */
  get current(): string | undefined {
    return this.#ring.current
  }

  /** A connection was subscribed: the limit episode, if any, is over. */
  succeeded(): void {
    this.#limitedSince = undefined
    this.#limitAttempts = 0
  }

  /**
   * Called with a `ConnectionLimit` error: rotates the key when there are several and decides whether to
   * keep trying. Returns the error to hand to the engine (made fatal once the time budget is spent).
   */
  onConnectionLimit(error: ChainstreamError): ChainstreamError {
    const { provider, connectionLimitRetryMs } = this.#options
    const { keys } = this.#ring
    this.#limitAttempts++
    this.#limitedSince ??= this.#now()
    if (keys.length === 0) {
      return error.with({
        isRetryable: false,
        attempts: this.#limitAttempts,
        message: `${provider} requires an API key for streaming (without one the limit is 0 connections): pass apiKey. Server said: ${bodyMessage(error.body) ?? error.message}`,
      })
    }
    this.#ring.rotate()
    const elapsed = this.#now() - this.#limitedSince
    if (elapsed < connectionLimitRetryMs)
      return error.with({ isRetryable: true, attempts: this.#limitAttempts })
    const what = keys.length > 1 ? `all ${keys.length} API keys` : 'the API key'
    return error.with({
      isRetryable: false,
      attempts: this.#limitAttempts,
      message: `${provider}: connection limit reached for ${what} for ${Math.round(elapsed / 1000)} s (${this.#limitAttempts} attempts). Close other streams using the key, raise the plan's limit, or add keys. Last answer: ${error.message}`,
    })
  }
}
