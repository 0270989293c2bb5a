import {
  createTracker,
  type LifecycleUpdate,
  type Logger,
  type TrackedTransaction,
  type Tracker,
  type TrackerProvider,
} from '@chainstream/core'
import type { DemandEntry } from './demand-registry.js'
import { recordFromUpdate, type TrackRecord } from './track-record.js'
import type { TrackWriter } from './track-writer.js'

const RETRY_MS = 2_000

/**
 * The relay's half of tracking: the ids registered in the demand bucket are tracked here, with one
 * tracker over the relay's providers (so one upstream watch per chain, whatever the number of
 * consumers), and every update that adds something is merged into the tracks bucket. A track that ends
 * without a terminal (its watch failed) is started again while it is still wanted; one that reached its
 * terminal is not started again by this relay.
 */
export class TrackFollower {
  private readonly tracker: Tracker
  private readonly tracks = new Map<string, TrackedTransaction>()
  private readonly done = new Set<string>()
  private readonly chains: ReadonlySet<string>
  private wanted = new Set<string>()
  private retry: NodeJS.Timeout | undefined
  private closed = false

  constructor(
    providers: readonly TrackerProvider[],
    chains: readonly string[],
    private readonly writer: TrackWriter,
    private readonly logger: Logger,
    /** Told every news this relay recorded (once per news, whichever relay saw it first). */
    private readonly recorded: (record: TrackRecord) => void = () => {},
  ) {
    this.chains = new Set(chains)
    this.tracker = createTracker({ providers, target: 'finalized', history: 0 })
    this.tracker.on('error', (error) =>
      logger.warn('relay: a provider watch reported an error', {
        reason: error instanceof Error ? error.message : String(error),
      }),
    )
  }

  /** How many ids are tracked now. */
  get size(): number {
    return this.tracks.size
  }

  /** Follows the ids of the live `track` entries. */
  follow(entries: readonly DemandEntry[]): void {
    if (this.closed) return
    const wanted = new Set<string>()
    for (const { value } of entries) {
      if (value.kind !== 'track' || !this.chains.has(value.chain)) continue
      for (const id of value.ids) wanted.add(`${value.chain} ${id}`)
    }
    this.wanted = wanted
    for (const [key, track] of this.tracks) {
      if (wanted.has(key)) continue
      this.tracks.delete(key)
      track.cancel('no consumer tracks it any more')
    }
    for (const key of this.done) if (!wanted.has(key)) this.done.delete(key)
    const inputs: { chain: string; id: string }[] = []
    for (const key of wanted) {
      if (this.tracks.has(key) || this.done.has(key)) continue
      const space = key.indexOf(' ')
      inputs.push({ chain: key.slice(0, space), id: key.slice(space + 1) })
    }
    this.startMany(inputs)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retry)
    await this.tracker.close()
  }

  /** One batch for the tracker (one watch change per chain); one by one when an id is refused. */
  private startMany(inputs: readonly { chain: string; id: string }[]): void {
    if (inputs.length === 0) return
    let tracks: TrackedTransaction[]
    try {
      tracks = this.tracker.trackMany(inputs)
    } catch {
      for (const input of inputs) this.start(input.chain, input.id)
      return
    }
    tracks.forEach((track, index) => {
      const input = inputs[index] as { chain: string; id: string }
      this.attach(`${input.chain} ${input.id}`, track)
    })
  }

  private start(chain: string, id: string): void {
    const key = `${chain} ${id}`
    let track: TrackedTransaction
    try {
      track = this.tracker.track({ chain, id })
    } catch (error) {
      // A consumer registered an id its provider refuses: nothing to follow (the consumer's own
      // validation refuses it too).
      this.done.add(key)
      this.logger.warn('relay: ignoring an id its provider refuses', {
        chain,
        id,
        reason: error instanceof Error ? error.message : String(error),
      })
      return
    }
    this.attach(key, track)
  }

  private attach(key: string, track: TrackedTransaction): void {
    this.tracks.set(key, track)
    track.on('update', (update) => this.updated(key, track, update))
    if (track.ended) this.updated(key, track, track.current)
  }

  private updated(key: string, track: TrackedTransaction, update: LifecycleUpdate): void {
    const record = recordFromUpdate(update)
    if (record) {
      this.writer.write(record).then(
        (written) => {
          if (written) this.recorded(written)
        },
        (error: unknown) =>
          this.logger.error('relay: a track record was not written', { key, reason: String(error) }),
      )
    }
    if (!track.ended || this.tracks.get(key) !== track) return
    this.tracks.delete(key)
    if (update.terminal !== undefined) {
      this.done.add(key)
      return
    }
    // The watch ended without a terminal (a provider failed): start again while someone wants it.
    if (this.closed || update.watch === 'aborted') return
    this.retry ??= setTimeout(() => {
      this.retry = undefined
      if (this.closed) return
      const again: { chain: string; id: string }[] = []
      for (const wanted of this.wanted) {
        if (this.tracks.has(wanted) || this.done.has(wanted)) continue
        const space = wanted.indexOf(' ')
        again.push({ chain: wanted.slice(0, space), id: wanted.slice(space + 1) })
      }
      this.startMany(again)
    }, RETRY_MS)
  }
}
