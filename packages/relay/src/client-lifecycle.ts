import type {
  LifecycleSink,
  LifecycleSourceV1,
  LifecycleWatch,
  LifecycleWatchOptions,
} from '@chainstream/core/provider'
import { KvWatchInclude } from '@nats-io/kv'
import type { ClientContext } from './client-context.js'
import { IDS_PER_ENTRY } from './demand.js'
import { retry } from './demand-lease.js'
import { observationsOf, parseRecord, type TrackRecord, trackKey } from './track-record.js'

/**
 * A lifecycle source over the relay for one chain: the ids a tracker adds are registered in the demand
 * bucket (a relay tracks them upstream), and what the relays record in the tracks bucket is told to the
 * tracker — first the record as it is now (so a restarted process starts where the lifecycle is), then
 * every change. The tracker's own machine does the rest, unchanged.
 */
export function createRelayLifecycleSource(
  context: ClientContext,
  chain: string,
  providerId: string,
  validateId: (id: string) => string,
): LifecycleSourceV1 {
  return {
    specificationVersion: 'v1',
    chain,
    providerId,
    validateId,
    openLifecycleWatch: (sink, options) => new RelayLifecycleWatch(context, chain, sink, options),
  }
}

let watchCount = 0

class RelayLifecycleWatch implements LifecycleWatch {
  private readonly ids = new Set<string>()
  private readonly keyPrefix: string
  private readonly watching: Promise<{ stop(): void }>
  private parts = 0
  private closed = false
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly context: ClientContext,
    private readonly chain: string,
    private readonly sink: LifecycleSink,
    options: LifecycleWatchOptions,
  ) {
    this.keyPrefix = `track.${chain}.${context.client}-${++watchCount}`
    this.watching = this.watch()
    this.watching.catch((error: unknown) => sink.error(error))
    options.signal?.addEventListener('abort', () => void this.close(), { once: true })
  }

  async add(ids: readonly string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.ids.has(id))
    for (const id of fresh) this.ids.add(id)
    if (fresh.length === 0) return
    await this.register()
    // The watch is open before the reads: a change between a read and the watch cannot be missed.
    await this.watching
    await this.snapshot(fresh)
  }

  async remove(ids: readonly string[]): Promise<void> {
    let removed = false
    for (const id of ids) removed = this.ids.delete(id) || removed
    if (removed && !this.closed) await this.register()
  }

  async snapshot(ids: readonly string[]): Promise<void> {
    const { tracks } = await this.context.backend
    await Promise.all(
      ids.map(async (id) => {
        const entry = await retry(
          () => tracks.get(trackKey(this.chain, id)),
          () => this.closed,
        )
        if (entry?.operation !== 'PUT') return
        this.tell(parseRecord(entry.json()))
      }),
    )
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const watch = await this.watching.catch(() => undefined)
    watch?.stop()
    await this.writing.catch(() => {})
    // A tracker that closes takes its ids away at once; one that dies leaves them to its lease.
    const keys = Array.from({ length: this.parts }, (_, index) => `${this.keyPrefix}.${index}`)
    await Promise.all(keys.map((key) => this.context.lease.remove(key).catch(() => {})))
  }

  private async watch(): Promise<{ stop(): void }> {
    const { tracks } = await this.context.backend
    // Opening may time out on a busy server: tried again, as the watch is what keeps the tracks current.
    const watch = await retry(
      () => tracks.watch({ key: `${this.chain}.>`, include: KvWatchInclude.UpdatesOnly }),
      () => this.closed,
    )
    void (async () => {
      for await (const entry of watch) {
        if (this.closed) break
        if (entry.operation !== 'PUT') continue
        try {
          this.tell(parseRecord(entry.json()))
        } catch {
          // not a record: nothing to tell
        }
      }
    })()
    return watch
  }

  private tell(record: TrackRecord | undefined): void {
    if (!record || record.chain !== this.chain || !this.ids.has(record.id)) return
    for (const observation of observationsOf(record)) this.sink.observe(record.id, observation)
  }

  /** Writes the ids into the demand bucket, in parts; parts no longer needed are removed. */
  private register(): Promise<void> {
    const next = this.writing.then(async () => {
      if (this.closed) return
      const ids = [...this.ids]
      const parts = Math.ceil(ids.length / IDS_PER_ENTRY)
      const writes: Promise<unknown>[] = []
      for (let index = 0; index < parts; index++) {
        writes.push(
          this.context.lease.set(`${this.keyPrefix}.${index}`, {
            kind: 'track',
            leaseMs: this.context.leaseMs,
            chain: this.chain,
            ids: ids.slice(index * IDS_PER_ENTRY, (index + 1) * IDS_PER_ENTRY),
          }),
        )
      }
      for (let index = parts; index < this.parts; index++) {
        writes.push(this.context.lease.remove(`${this.keyPrefix}.${index}`))
      }
      this.parts = parts
      await Promise.all(writes)
    })
    this.writing = next.catch(() => {})
    return next
  }
}
