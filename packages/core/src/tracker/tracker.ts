import { ChainstreamError } from '../errors/chainstream-error.js'
import type { LifecycleUpdate } from '../finality/lifecycle-update.js'
import { isObservedTier, type ObservedTier } from '../finality/tiers.js'
import type { LifecycleSink, LifecycleSourceV1, LifecycleWatch } from '../provider/lifecycle-source-v1.js'
import { Emitter } from '../util/emitter.js'
import { type Logger, silentLogger } from '../util/logger.js'
import { nonNegative } from '../util/options.js'
import { chainHint } from './chain-hints.js'
import { Track, type TrackOwner } from './tracked-transaction.js'
import type {
  TrackedTransaction,
  Tracker,
  TrackerEvents,
  TrackerOptions,
  TrackerProvider,
  TrackInput,
} from './tracker-types.js'

/**
 * One API for transaction lifecycles across chains: hand it a TON trace hash or a Solana signature and
 * get the same updates, the same promise semantics and the same guarantees for both (the rules of the
 * finality model: tiers never go down, exactly one terminal update per id, abort never resolves, time-outs
 * say the outcome is unknown). Each provider serves all tracks of its chain through one multiplexed
 * watch, updated as tracks start and end.
 *
 * @example
 * ```ts
 * const tracker = createTracker({ providers: [createToncenter({ apiKey }), createVenum({ apiKey })] })
 * const tx = tracker.track({ chain: 'solana', id: signature })
 * tx.on('update', (u) => console.log(u.tier, u.outcome, u.providerStatus))
 * await tx.reached('confirmed', { timeoutMs: 30_000 })
 * ```
 */
export function createTracker(options: TrackerOptions): Tracker {
  return new CrossChainTracker(options)
}

interface ChainWatch {
  source: LifecycleSourceV1
  watch: LifecycleWatch | undefined
  tracks: Map<string, Track>
  /** What every track of the chain reports to (one object per chain, not per track). */
  owner: TrackOwner
}

class CrossChainTracker implements Tracker {
  readonly #chains = new Map<string, ChainWatch>()
  readonly #history: LifecycleUpdate[] = []
  readonly #historySize: number
  readonly #target: ObservedTier
  readonly #timeoutMs: number
  readonly #logger: Logger
  readonly #emitter: Emitter<TrackerEvents>
  #closed = false

  constructor(options: TrackerOptions) {
    if (!options || !Array.isArray(options.providers) || options.providers.length === 0) {
      throw new ChainstreamError(
        'InvalidArgument',
        'createTracker needs at least one provider: createTracker({ providers: [client, …] }) with the clients of the provider packages (each exposes a lifecycle source)',
      )
    }
    this.#target = options.target ?? 'finalized'
    if (!isObservedTier(this.#target)) {
      throw new ChainstreamError(
        'InvalidArgument',
        `target must be pending, included, confirmed or finalized, got ${String(this.#target)}`,
      )
    }
    this.#timeoutMs = nonNegative(options.timeoutMs, 0, 'timeoutMs')
    this.#historySize = nonNegative(options.history, 100, 'history')
    this.#logger = options.logger ?? silentLogger
    this.#emitter = new Emitter((error) =>
      this.#logger.error('a tracker listener threw', { message: String(error) }),
    )
    for (const provider of options.providers) {
      const source = toSource(provider)
      if (this.#chains.has(source.chain)) continue
      const chain: ChainWatch = {
        source,
        watch: undefined,
        tracks: new Map(),
        owner: this.#ownerOf(source.chain, () => chain),
      }
      this.#chains.set(source.chain, chain)
    }
  }

  get size(): number {
    let total = 0
    for (const chain of this.#chains.values()) total += chain.tracks.size
    return total
  }

  on<K extends keyof TrackerEvents>(event: K, listener: TrackerEvents[K]): () => void {
    return this.#emitter.on(event, listener)
  }

  off<K extends keyof TrackerEvents>(event: K, listener: TrackerEvents[K]): void {
    this.#emitter.off(event, listener)
  }

  track(input: TrackInput): TrackedTransaction {
    return this.trackMany([input])[0]!
  }

  trackMany(inputs: readonly TrackInput[]): TrackedTransaction[] {
    if (this.#closed)
      throw new ChainstreamError(
        'Closed',
        'The tracker is closed; create a new one to track more transactions',
      )
    // Validate everything first: a bad input starts nothing.
    const checked = inputs.map((input) => this.#check(input))
    const result: TrackedTransaction[] = []
    const added = new Map<ChainWatch, string[]>()
    for (const { input, chain, id, target } of checked) {
      const existing = chain.tracks.get(id)
      if (existing && !existing.ended) {
        result.push(existing)
        continue
      }
      const track = new Track(
        {
          id,
          target,
          timeoutMs: nonNegative(input.timeoutMs, this.#timeoutMs, 'timeoutMs'),
          ...(input.signal ? { signal: input.signal } : {}),
        },
        chain.owner,
      )
      chain.tracks.set(id, track)
      result.push(track)
      if (track.ended) continue
      const ids = added.get(chain)
      if (ids) ids.push(id)
      else added.set(chain, [id])
    }
    for (const [chain, ids] of added) {
      const watch = this.#watchFor(chain)
      watch.add(ids).catch((error: unknown) => this.#watchFailed(chain, ids, error))
    }
    return result
  }

  list(): LifecycleUpdate[] {
    const live: LifecycleUpdate[] = []
    for (const chain of this.#chains.values())
      for (const track of chain.tracks.values()) live.push(track.current)
    return [...live, ...this.#history]
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const chain of this.#chains.values()) {
      for (const track of [...chain.tracks.values()]) track.cancel('the tracker was closed')
    }
    await Promise.all(
      [...this.#chains.values()].map(async (chain) => {
        const watch = chain.watch
        chain.watch = undefined
        await watch?.close()
      }),
    )
    this.#emitter.clear()
  }

  #check(input: TrackInput): {
    input: TrackInput
    chain: ChainWatch
    id: string
    target: ObservedTier
  } {
    if (!input || typeof input.chain !== 'string' || typeof input.id !== 'string') {
      throw new ChainstreamError(
        'InvalidArgument',
        "track() needs { chain, id }, e.g. { chain: 'solana', id: signature }",
      )
    }
    const chain = this.#chains.get(input.chain)
    if (!chain) {
      const hint = chainHint(input.chain)
      const served = [...this.#chains.keys()].join(', ')
      throw new ChainstreamError(
        'ProviderNotConfigured',
        `No provider serves chain '${input.chain}' (this tracker serves: ${served}). ` +
          (hint
            ? `Add ${hint} to createTracker({ providers }).`
            : `Add a provider client whose lifecycle source serves chain '${input.chain}' to createTracker({ providers }).`),
        { isRetryable: false },
      )
    }
    const target = input.target ?? this.#target
    if (!isObservedTier(target)) {
      throw new ChainstreamError(
        'InvalidArgument',
        `target must be pending, included, confirmed or finalized, got ${String(target)}`,
      )
    }
    const id = chain.source.validateId(input.id)
    return { input, chain, id, target }
  }

  #ownerOf(name: string, chain: () => ChainWatch): TrackOwner {
    return {
      chain: name,
      updated: (update) => this.#emitter.emit('update', update),
      diagnostic: (diagnostic) => this.#emitter.emit('diagnostic', diagnostic),
      listenerFailed: (error) => this.#emitter.emit('error', error),
      ended: (ended) => this.#release(chain(), ended),
    }
  }

  #watchFor(chain: ChainWatch): LifecycleWatch {
    if (chain.watch) return chain.watch
    const sink: LifecycleSink = {
      observe: (id, observation) => chain.tracks.get(id)?.observe(observation),
      error: (error) => this.#emitter.emit('error', error),
    }
    chain.watch = chain.source.openLifecycleWatch(sink, { target: 'finalized' })
    return chain.watch
  }

  #watchFailed(chain: ChainWatch, ids: readonly string[], error: unknown): void {
    this.#emitter.emit('error', error)
    const reason = error instanceof Error ? error.message : String(error)
    for (const id of ids) {
      chain.tracks.get(id)?.observe({ kind: 'watch', status: 'errored', reason, error, at: Date.now() })
    }
  }

  #release(chain: ChainWatch, track: Track): void {
    if (chain.tracks.get(track.id) !== track) return
    chain.tracks.delete(track.id)
    if (this.#historySize > 0) {
      this.#history.unshift(track.current)
      if (this.#history.length > this.#historySize) this.#history.length = this.#historySize
    }
    chain.watch?.remove([track.id]).catch((error: unknown) => this.#emitter.emit('error', error))
  }
}

function toSource(provider: TrackerProvider): LifecycleSourceV1 {
  const source = 'lifecycle' in provider ? provider.lifecycle : provider
  if (source?.specificationVersion !== 'v1' || typeof source.openLifecycleWatch !== 'function') {
    throw new ChainstreamError(
      'InvalidArgument',
      'Each tracker provider must be a lifecycle source (v1) or expose one as `lifecycle` — pass the client a provider package created',
    )
  }
  return source
}
