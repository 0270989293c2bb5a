import type { Logger } from '@chainstream/core'
import type { KV, KvWatchEntry } from '@nats-io/kv'
import { type DemandValue, parseDemand } from './demand.js'

/** One live demand entry. */
export interface DemandEntry {
  readonly key: string
  readonly revision: number
  readonly value: DemandValue
  /** When the server stored it (epoch ms); the lease runs from here. */
  readonly created: number
}

/**
 * The relay's view of the demand bucket: every entry whose lease has not run out. It watches the bucket
 * (the current values first, then every change) and expires entries itself — a 2.9 server does not
 * announce a key's expiry — comparing the server's store time with this machine's clock, so machines
 * need synchronised clocks (NTP). `changed` runs once per batch of changes.
 */
export class DemandRegistry {
  private readonly entries = new Map<string, DemandEntry>()
  /**
   * One string per tracked id, however many consumers list it: JSON parsing makes a copy per entry, and
   * many workers tracking the same ids is the common case.
   */
  private interned = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private scheduled = false

  constructor(
    private readonly bucket: KV,
    private readonly changed: () => void,
    private readonly logger: Logger,
    private readonly checkEveryMs = 500,
  ) {}

  async start(): Promise<void> {
    const watch = await this.bucket.watch({ key: '>' })
    void (async () => {
      for await (const entry of watch) {
        if (this.stopped) break
        this.apply(entry)
      }
    })().catch((error: unknown) => this.logger.error('relay: demand watch ended', { error: String(error) }))
    this.stop = async () => {
      this.stopped = true
      watch.stop()
      clearInterval(this.timer)
    }
    this.timer = setInterval(() => this.expire(), this.checkEveryMs)
    this.timer.unref?.()
  }

  /** Stops watching. */
  stop: () => Promise<void> = async () => {
    this.stopped = true
  }

  /** The entries alive now. */
  live(): DemandEntry[] {
    this.expire(false)
    return [...this.entries.values()]
  }

  private apply(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      if (this.entries.delete(entry.key)) {
        this.compact()
        this.schedule()
      }
      return
    }
    let parsed: DemandValue | undefined
    try {
      parsed = parseDemand(entry.json())
    } catch {
      parsed = undefined
    }
    if (!parsed) {
      this.logger.warn('relay: ignoring a demand entry that is not one', { key: entry.key })
      return
    }
    const created = entry.created.getTime()
    if (created + parsed.leaseMs <= Date.now()) return
    const previous = this.entries.get(entry.key)
    if (parsed.kind === 'track') {
      // A renewal of the same ids only moves the lease: nothing for the followers to recompute.
      if (previous?.value.kind === 'track' && sameIds(previous.value.ids, parsed.ids)) {
        this.entries.set(entry.key, { ...previous, revision: entry.revision, created })
        return
      }
      parsed = { ...parsed, ids: parsed.ids.map((id) => this.intern(id)) }
    }
    this.entries.set(entry.key, { key: entry.key, revision: entry.revision, value: parsed, created })
    this.schedule()
  }

  private intern(id: string): string {
    const known = this.interned.get(id)
    if (known !== undefined) return known
    this.interned.set(id, id)
    return id
  }

  /** Forgets interned ids no live entry lists any more (when they are most of them). */
  private compact(): void {
    let live = 0
    for (const { value } of this.entries.values()) if (value.kind === 'track') live += value.ids.length
    if (this.interned.size <= 2 * live + 1_000) return
    const kept = new Map<string, string>()
    for (const { value } of this.entries.values()) {
      if (value.kind === 'track') for (const id of value.ids) kept.set(id, id)
    }
    this.interned = kept
  }

  private expire(notify = true): void {
    const now = Date.now()
    let removed = false
    for (const [key, entry] of this.entries) {
      if (entry.created + entry.value.leaseMs <= now) {
        this.entries.delete(key)
        removed = true
      }
    }
    if (removed) this.compact()
    if (removed && notify) this.schedule()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (!this.stopped) this.changed()
    })
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
