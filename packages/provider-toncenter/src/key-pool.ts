import { bodyMessage, type ChainstreamError, registerSecret } from '@chainstream/core'

/** Options of {@link KeyPool}. */
export interface KeyPoolOptions {
  /** The keys, in order of preference. Empty: keyless (the public host then answers a limit of 0). */
  keys: readonly string[]
  /** How long `ConnectionLimit` answers are retried before giving up (per run of failures). */
  connectionLimitRetryMs: number
  /** Provider name for messages. */
  provider: string
  /** Clock (tests pin it). */
  now?: () => number
}

/**
 * The API keys of one stream and what to do when the server says the connection limit is reached.
 * Several keys: move to the next key at once. One key: the server may still be holding the session that
 * just dropped (for about a minute), so keep retrying with backoff for a bounded time, then fail with a
 * typed `ConnectionLimit` carrying the number of attempts. No key: fail at once with a hint.
 */
export class KeyPool {
  private index = 0
  private limitedSince: number | undefined
  private limitAttempts = 0
  private readonly now: () => number

  constructor(private readonly options: KeyPoolOptions) {
    for (const key of options.keys) registerSecret(key)
    this.now = options.now ?? Date.now
  }

  /** The key to use now (undefined when keyless). */
  get current(): string | undefined {
    return this.options.keys[this.index]
  }

  /** Number of keys. */
  get size(): number {
    return this.options.keys.length
  }

  /** A connection was subscribed: the limit episode, if any, is over. */
  succeeded(): void {
    this.limitedSince = undefined
    this.limitAttempts = 0
  }

  /**
   * Called with a `ConnectionLimit` error: rotates the key when there are several and decides whether to
   * keep trying. Returns the error to hand to the engine (made fatal once the time budget is spent).
   */
  onConnectionLimit(error: ChainstreamError): ChainstreamError {
    const { keys, provider, connectionLimitRetryMs } = this.options
    this.limitAttempts++
    this.limitedSince ??= this.now()
    if (keys.length === 0) {
      return error.with({
        isRetryable: false,
        attempts: this.limitAttempts,
        message: `${provider} requires an API key for streaming (without one the limit is 0 connections): pass apiKey. Server said: ${bodyMessage(error.body) ?? error.message}`,
      })
    }
    if (keys.length > 1) this.index = (this.index + 1) % keys.length
    const elapsed = this.now() - this.limitedSince
    if (elapsed < connectionLimitRetryMs)
      return error.with({ isRetryable: true, attempts: this.limitAttempts })
    const what = keys.length > 1 ? `all ${keys.length} API keys` : 'the API key'
    return error.with({
      isRetryable: false,
      attempts: this.limitAttempts,
      message: `${provider}: connection limit reached for ${what} for ${Math.round(elapsed / 1000)} s (${this.limitAttempts} attempts). Close other streams using the key, raise the plan's limit, or add keys. Last answer: ${error.message}`,
    })
  }
}
