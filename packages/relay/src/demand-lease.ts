import type { Logger } from '@chainstream/core'
import type { KV } from '@nats-io/kv'
import type { DemandValue } from './demand.js'

/**
 * A client's entries in the demand bucket, renewed every third of their lease so that they outlive
 * short NATS outages and run out when the process dies. `set` resolves with the revision the server
 * stored (retrying while NATS is away); renewals that fail are retried at the next beat.
 */
export class DemandLease {
  private readonly held = new Map<string, DemandValue>()
  private readonly timer: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly bucket: Promise<KV>,
    leaseMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(leaseMs / 3)))
    this.timer.unref?.()
  }

  /** Puts `value` under `key` (and keeps renewing it); resolves with the stored revision. */
  async set(key: string, value: DemandValue): Promise<number> {
    this.held.set(key, value)
    return this.put(key, value)
  }

  /** Stops renewing `key` and deletes it, so relays stop following it at once. */
  async remove(key: string): Promise<void> {
    this.held.delete(key)
    const bucket = await this.bucket
    await retry(
      () => bucket.delete(key),
      () => this.closed,
    )
  }

  /** Stops renewing; with `release`, deletes the entries (else they run out with their lease). */
  async close(release: boolean): Promise<void> {
    clearInterval(this.timer)
    const keys = [...this.held.keys()]
    this.held.clear()
    if (release) {
      const bucket = await this.bucket
      await Promise.all(keys.map((key) => bucket.delete(key).catch(() => {})))
    }
    this.closed = true
  }

  private async put(key: string, value: DemandValue): Promise<number> {
    const bucket = await this.bucket
    const payload = JSON.stringify(value)
    return retry(
      () => bucket.put(key, payload),
      () => this.closed || this.held.get(key) !== value,
    )
  }

  private async renew(): Promise<void> {
    if (this.closed) return
    const bucket = await this.bucket.catch(() => undefined)
    if (!bucket) return // the client's connection failed: its operations report it
    for (const [key, value] of this.held) {
      try {
        await bucket.put(key, JSON.stringify(value))
      } catch (error) {
        this.logger.warn('relay client: lease renewal failed, retrying', {
          key,
          reason: error instanceof Error ? error.message : String(error),
        })
        return
      }
    }
  }
}

/** Retries `work` (NATS away, a time-out) until it succeeds or `give` says to stop. */
export async function retry<T>(work: () => Promise<T>, give: () => boolean): Promise<T> {
  let delay = 100
  for (;;) {
    try {
      return await work()
    } catch (error) {
      if (give()) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, 2_000)
    }
  }
}
