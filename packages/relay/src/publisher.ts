import type { Logger } from '@chainstream/core'
import type { JetStreamClient } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import type { SolanaStatusMessage } from './solana-messages.js'
import type { RelayMessage } from './ton-messages.js'

/** What the publisher takes: a TON event's message, or a Solana status's. */
export type Publishable = RelayMessage | SolanaStatusMessage

/** Messages awaiting the server's acknowledgement at once. */
const WINDOW = 1_024
const encoder = new TextEncoder()

/**
 * Publishes messages to JetStream in the order given, each until the server stored it (or reported it a
 * duplicate): a window of them is in flight at once, and what failed — NATS restarting, a time-out — is
 * sent again, with the same message id, before anything newer. Retrying is safe because the server
 * de-duplicates by id; nothing is dropped while NATS is away (the queue grows, and says so).
 */
export class Publisher {
  private readonly queue: Publishable[] = []
  private running = false
  private closed = false
  private idle: (() => void)[] = []
  private warnedAt = 0
  /** Stored, and reported duplicate (the other relay, or a retry, was first). */
  readonly counts = { published: 0, duplicates: 0, retries: 0 }

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
  ) {}

  /** How many messages wait to be stored. */
  get pending(): number {
    return this.queue.length
  }

  enqueue(messages: readonly Publishable[]): void {
    if (this.closed || messages.length === 0) return
    for (const message of messages) this.queue.push(message)
    if (this.queue.length >= 100_000 && Date.now() - this.warnedAt > 10_000) {
      this.warnedAt = Date.now()
      this.logger.warn('relay: messages wait for NATS', { pending: this.queue.length })
    }
    if (!this.running) void this.run()
  }

  /** Resolves once everything enqueued so far is stored. */
  drained(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  /** Stops publishing; what is still queued is given up. */
  close(): void {
    this.closed = true
    this.queue.length = 0
  }

  private async run(): Promise<void> {
    this.running = true
    let delay = 100
    while (!this.closed && this.queue.length > 0) {
      const failed = await this.window()
      if (this.closed) break
      if (failed.length === 0) {
        delay = 100
        continue
      }
      // Again before anything newer, with the same ids: what did arrive is reported a duplicate.
      this.queue.unshift(...failed.map((entry) => entry.message))
      this.counts.retries += failed.length
      this.logger.warn('relay: publish failed, retrying', {
        failed: failed.length,
        reason: failed[0]?.reason,
      })
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, 2_000)
    }
    this.running = false
    for (const resolve of this.idle.splice(0)) resolve()
  }

  /**
   * Publishes from the queue with up to {@link WINDOW} messages awaiting their acknowledgement, until the
   * queue is empty or one fails; then waits for those in flight and returns the failed ones in order.
   */
  private async window(): Promise<{ message: Publishable; reason: string }[]> {
    const failed: { index: number; message: Publishable; reason: string }[] = []
    let sequence = 0
    let inFlight = 0
    let wake: (() => void) | undefined
    while (!this.closed) {
      if (failed.length === 0 && this.queue.length > 0 && inFlight < WINDOW) {
        const message = this.queue.shift() as Publishable
        const index = sequence++
        inFlight++
        this.js
          .publish(
            message.subject,
            encoder.encode(JSON.stringify('event' in message ? message.event : message.record)),
            {
              msgID: message.id,
              timeout: 5_000,
              ...('headers' in message && message.headers ? { headers: toHeaders(message.headers) } : {}),
            },
          )
          .then(
            (ack) => {
              if (ack.duplicate) this.counts.duplicates++
              else this.counts.published++
            },
            (error: unknown) => {
              failed.push({ index, message, reason: error instanceof Error ? error.message : String(error) })
            },
          )
          .finally(() => {
            inFlight--
            wake?.()
          })
        continue
      }
      if (inFlight === 0) break
      await new Promise<void>((resolve) => {
        wake = resolve
      })
      wake = undefined
    }
    return failed.sort((a, b) => a.index - b.index)
  }
}

function toHeaders(values: Readonly<Record<string, string>>) {
  const result = natsHeaders()
  for (const [name, value] of Object.entries(values)) result.set(name, value)
  return result
}
