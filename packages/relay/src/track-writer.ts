import type { Logger } from '@chainstream/core'
import type { KV } from '@nats-io/kv'
import { mergeRecords, parseRecord, type TrackRecord, trackKey } from './track-record.js'

/**
 * Writes records into the tracks bucket with compare-and-set: read the key, merge, write only if the
 * revision is still the one read; on a conflict (another relay wrote in between) read and merge again.
 * Writes of one key run one after another; a NATS outage is waited out.
 */
export class TrackWriter {
  private readonly chains = new Map<string, Promise<void>>()
  private closed = false
  /** Records written, and conflicts that were merged again. */
  readonly counts = { written: 0, conflicts: 0, unchanged: 0 }

  constructor(
    private readonly bucket: KV,
    private readonly logger: Logger,
  ) {}

  /**
   * Merges `record` into the bucket; resolves once it is there with what this write recorded, or with
   * `undefined` when it added nothing (or another relay recorded the same news first).
   */
  write(record: TrackRecord): Promise<TrackRecord | undefined> {
    const key = trackKey(record.chain, record.id)
    const previous = this.chains.get(key) ?? Promise.resolve()
    const next = previous.then(() => this.merge(key, record))
    const tail = next.then(
      () => {},
      () => {},
    )
    this.chains.set(key, tail)
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key)
    })
    return next
  }

  /** Resolves once every write started so far is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()])
  }

  close(): void {
    this.closed = true
  }

  private async merge(key: string, record: TrackRecord): Promise<TrackRecord | undefined> {
    let delay = 50
    while (!this.closed) {
      try {
        const entry = await this.bucket.get(key)
        const stored = entry && entry.operation === 'PUT' ? parseRecord(entry.json()) : undefined
        const merged = mergeRecords(stored, record)
        if (!merged) {
          this.counts.unchanged++
          return undefined
        }
        const payload = JSON.stringify(merged)
        if (entry && entry.operation === 'PUT') await this.bucket.update(key, payload, entry.revision)
        else await this.bucket.create(key, payload)
        this.counts.written++
        return merged
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        if (/wrong last sequence|key exists/i.test(message)) {
          this.counts.conflicts++
          continue
        }
        this.logger.warn('relay: writing a track record failed, retrying', { key, reason: message })
        await new Promise((resolve) => setTimeout(resolve, delay))
        delay = Math.min(delay * 2, 2_000)
      }
    }
    return undefined
  }
}
