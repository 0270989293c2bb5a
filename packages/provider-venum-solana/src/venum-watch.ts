import {
  abortError,
  ChainstreamError,
  type Diagnostic,
  FanOut,
  type LifecycleState,
  onAbort,
  toChainstreamError,
} from '@chainstream/core'
import { childSignal } from './child-signal.js'
import { Shard, type ShardHost, SIGNATURES_PER_STREAM } from './shard.js'
import { validateSignatures } from './signature.js'
import { observe, SignatureState } from './signature-state.js'
import type { RateGate, StreamSlots } from './stream-slots.js'
import type { RequestLimiter, VenumTxStatus } from './tx-status.js'
import { fetchTxStatus } from './tx-status.js'
import type { VenumFrame } from './venum-frame.js'
import type { VenumConfig } from './venum-options.js'
import { isVenumEvent, strongestEvent, VENUM_EVENTS, type VenumEvent } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'
import type {
  VenumWatch,
  VenumWatchCounters,
  VenumWatchEvents,
  VenumWatchOptions,
} from './venum-watch-types.js'

// One shared abort reason: `abort()` without one makes a DOMException (with a stack) every time.
const WATCH_CLOSED = new ChainstreamError('Closed', 'the watch was closed', { isRetryable: false })

/** What every watch of one client shares. */
export interface WatchResources {
  readonly config: VenumConfig
  readonly slots: StreamSlots
  readonly limiter: RequestLimiter
  readonly gate: RateGate
}

/** Validates `events`: a non-empty list of Venum tiers, returned deduplicated, weakest first. */
export function validateEvents(events: unknown): VenumEvent[] {
  if (events === undefined) return [...VENUM_EVENTS]
  if (!Array.isArray(events) || events.length === 0 || !events.every(isVenumEvent)) {
    throw new ChainstreamError(
      'InvalidArgument',
      `events must be a non-empty list of ${VENUM_EVENTS.map((e) => `'${e}'`).join(', ')}; got ${JSON.stringify(events)}`,
      { isRetryable: false },
    )
  }
  const set = new Set<VenumEvent>(events)
  return VENUM_EVENTS.filter((event) => set.has(event))
}

/**
 * How a watch behaves beyond its public options. `persistent` is the tracker's multiplexed watch: it may
 * start empty, does not end when every signature is done, and watches a done signature again when it is
 * added again (a new track of the same transaction).
 */
export interface WatchMode {
  readonly persistent?: boolean
}

/** Creates a watch (see {@link VenumWatch}). Validates everything before any request. */
const WATCH_OPTION_KEYS = new Set(['signatures', 'events', 'signal'])

export function createWatch(
  resources: WatchResources,
  options: VenumWatchOptions,
  mode: WatchMode = {},
): VenumWatch {
  if (typeof options !== 'object' || options === null) {
    throw new ChainstreamError(
      'InvalidArgument',
      'watch() needs an options object: { signatures, events?, signal? }',
    )
  }
  const unknown = Object.keys(options).filter((key) => !WATCH_OPTION_KEYS.has(key))
  if (unknown.length > 0) {
    // A misspelt option must not pass silently (it would be a setting the caller thinks is on).
    throw new ChainstreamError(
      'InvalidArgument',
      `watch() got unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}: it takes { signatures, events?, signal? }`,
      { isRetryable: false },
    )
  }
  const events = validateEvents(options.events)
  const signatures = validateSignatures(options.signatures)
  if (signatures.length === 0 && mode.persistent !== true) {
    throw new ChainstreamError(
      'InvalidArgument',
      'signatures is empty: pass at least one transaction signature',
      {
        isRetryable: false,
      },
    )
  }
  return new Watch(resources, signatures, events, options.signal, mode.persistent === true)
}

class Watch implements VenumWatch, ShardHost {
  readonly config: VenumConfig
  readonly gate: RateGate
  readonly events: readonly VenumEvent[]
  readonly ready: Promise<void>
  private readonly eventSet: ReadonlySet<VenumEvent>
  private readonly target: VenumEvent
  private readonly states = new Map<string, SignatureState>()
  /** Which shard carries each signature now. */
  private readonly owner = new Map<string, Shard>()
  private readonly shards = new Set<Shard>()
  /** Signatures waiting for a stream slot, in order (consumed from `pendingHead`). */
  private pending: string[] = []
  private pendingHead = 0
  private slotWaiting = false
  private liveCount = 0
  /** Listeners, `for await` consumers and `closed`. */
  private readonly out: FanOut<VenumUpdate, VenumWatchEvents>
  private readonly lifetime = new AbortController()
  private readonly removeAbortListener: () => void
  private isClosed = false
  private readonly count: VenumWatchCounters = { updates: 0, streams: 0, lookups: 0, errors: 0 }

  constructor(
    private readonly resources: WatchResources,
    signatures: readonly string[],
    events: readonly VenumEvent[],
    signal: AbortSignal | undefined,
    private readonly persistent: boolean,
  ) {
    this.config = resources.config
    this.gate = resources.gate
    this.events = events
    this.eventSet = new Set(events)
    this.target = strongestEvent(events)
    this.out = new FanOut({
      onListenerError: (error, event) => this.listenerFailed(error, String(event)),
      // Unbounded on purpose: a watch emits at most five updates per signature (four tiers and an end),
      // so its output is bounded by what the caller asked to watch, and dropping one would break the
      // one-terminal-update promise.
      bufferSize: Number.POSITIVE_INFINITY,
      overflow: 'fail',
    })
    for (const signature of signatures) this.track(signature)
    // An already aborted signal ends the watch before any request.
    this.removeAbortListener = onAbort(signal, () => this.finish(abortError(signal, 'the Venum watch')))
    this.pending.push(...signatures)
    this.pump()
    this.ready = this.readyOf([...this.shards])
  }

  get watching(): string[] {
    const out: string[] = []
    for (const state of this.states.values()) if (!state.done && !state.removed) out.push(state.signature)
    return out
  }

  get counters(): VenumWatchCounters {
    return { ...this.count }
  }

  on<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): () => void {
    return this.out.on(event, listener)
  }

  off<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): void {
    this.out.off(event, listener)
  }

  lifecycle(signature: string): LifecycleState | undefined {
    return this.states.get(signature)?.state
  }

  async add(signatures: readonly string[]): Promise<void> {
    if (this.isClosed) throw this.closedError('add()')
    const fresh: string[] = []
    for (const signature of validateSignatures(signatures, 'add(signatures)')) {
      const state = this.states.get(signature)
      if (state === undefined || (this.persistent && state.done)) {
        this.owner.delete(signature)
        this.track(signature)
        fresh.push(signature)
      } else if (state.removed && !state.done) {
        state.removed = false
        this.liveCount++
        // Still on an open stream: it never left it. Otherwise it needs a place again.
        const shard = this.owner.get(signature)
        if (!shard || shard.isClosed) {
          this.owner.delete(signature)
          fresh.push(signature)
        }
      }
    }
    const waits: Promise<void>[] = []
    // Fill streams that have room by replacing them (make before break), then open new ones.
    for (const shard of [...this.shards]) {
      if (fresh.length === 0) break
      if (!shard.isStreaming) continue
      const room = SIGNATURES_PER_STREAM - shard.live().length
      if (room > 0) waits.push(this.replace(shard, fresh.splice(0, room)))
    }
    this.pending.push(...fresh)
    // Adds in one burst (a loop of waitFor calls, say) share streams: the queue is served once they
    // are all in, not one stream per call.
    await this.pumpSoon()
    for (const signature of fresh) {
      const shard = this.owner.get(signature)
      if (shard) waits.push(shard.ready)
    }
    await Promise.all(waits)
    if (this.resolvedError) throw this.resolvedError
  }

  async remove(signatures: readonly string[]): Promise<void> {
    const touched = new Set<Shard>()
    for (const signature of validateSignatures(signatures, 'remove(signatures)')) {
      const state = this.states.get(signature)
      if (!state) continue
      const shard = this.owner.get(signature)
      if (!state.done && !state.removed) {
        state.removed = true
        this.liveCount--
        if (shard) touched.add(shard)
      }
      // A long-lived multiplexed watch forgets what it no longer watches, or it would grow forever.
      if (this.persistent) {
        this.states.delete(signature)
        this.owner.delete(signature)
      }
    }
    for (const shard of touched) shard.closeIfEmpty()
    this.completeIfDone()
  }

  async close(): Promise<void> {
    this.finish(undefined)
    await Promise.all([...this.shards].map((shard) => shard.close()))
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.out.closed
  }

  [Symbol.asyncIterator](): AsyncIterator<VenumUpdate> {
    return this.out.iterator()
  }

  // ---------------------------------------------------------------------------------------------------
  // ShardHost

  isLiveOn(signature: string, shard: Shard): boolean {
    if (!this.isLive(signature)) return false
    const owner = this.owner.get(signature)
    for (let s: Shard | undefined = shard; s !== undefined; s = s.replacedBy) if (s === owner) return true
    return false
  }

  private isLive(signature: string): boolean {
    return this.states.get(signature)?.live === true
  }

  lookup(signature: string, signal: AbortSignal): Promise<VenumTxStatus>
  lookup(signature: string, signal: AbortSignal, wanted: () => boolean): Promise<VenumTxStatus | undefined>
  async lookup(
    signature: string,
    signal: AbortSignal,
    wanted?: () => boolean,
  ): Promise<VenumTxStatus | undefined> {
    const work = async () => {
      this.count.lookups++
      const child = childSignal(signal)
      try {
        return await fetchTxStatus(this.config, signature, child.signal)
      } finally {
        child.dispose()
      }
    }
    const { limiter } = this.resources
    return wanted ? limiter.runIfWanted(work, wanted) : limiter.run(work)
  }

  ingest(frame: VenumFrame, shard: Shard): void {
    if (this.isClosed) return
    const state = this.states.get(frame.signature)
    if (!state) {
      // A persistent watch forgets removed signatures; their stream may still mention them.
      if (this.persistent) return
      this.diagnostic({
        code: 'unexpected-signature',
        message: `Venum sent an update for ${frame.signature}, which this watch does not watch; ignored`,
      })
      return
    }
    if (state.done || state.removed) return
    const owner = this.owner.get(frame.signature)
    const softEnd =
      frame.kind === 'signature-error' ||
      (frame.kind === 'tx' && (frame.status === 'timeout' || frame.status === 'verify-timeout'))
    if (softEnd) this.finishSoftly(state, frame)
    else this.apply(state, frame)
    shard.closeIfEmpty()
    if (owner !== shard) owner?.closeIfEmpty()
  }

  reportError(error: ChainstreamError): void {
    if (this.isClosed) return
    this.count.errors++
    this.out.emit('error', error)
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.out.emit('diagnostic', diagnostic)
  }

  shardClosed(shard: Shard, error: ChainstreamError | undefined): void {
    this.shards.delete(shard)
    if (this.isClosed) return
    const stranded = shard.signatures.filter((s) => this.owner.get(s) === shard && this.isLive(s))
    if (error && stranded.length > 0) {
      this.finish(error)
      return
    }
    if (error) this.reportError(error)
    // A stream that ended while some of its signatures still need one (never by Venum's own
    // completion, which waits for all of them): they queue for a new stream.
    for (const signature of stranded) this.owner.delete(signature)
    this.pending.push(...stranded)
    this.pump()
  }

  // ---------------------------------------------------------------------------------------------------

  private resolvedError: ChainstreamError | undefined

  private track(signature: string): void {
    this.states.set(signature, new SignatureState(signature, this.eventSet, this.target))
    this.liveCount++
  }

  private pumpScheduled: Promise<void> | undefined

  /** Serves the queue in a microtask, once for every add of the current burst. */
  private pumpSoon(): Promise<void> {
    this.pumpScheduled ??= Promise.resolve().then(() => {
      this.pumpScheduled = undefined
      this.pump()
    })
    return this.pumpScheduled
  }

  /** Starts streams for queued signatures while slots are free; waits (once) for the next slot. */
  private pump(): void {
    while (!this.isClosed && !this.slotWaiting && this.hasPending()) {
      const release = this.resources.slots.tryAcquire()
      if (release) {
        this.startShard(this.takePending(), release)
        continue
      }
      this.slotWaiting = true
      this.resources.slots.acquire(this.lifetime.signal).then(
        (granted) => {
          this.slotWaiting = false
          const signatures = this.isClosed ? [] : this.takePending()
          if (signatures.length === 0) granted()
          else this.startShard(signatures, granted)
          this.pump()
        },
        () => {
          this.slotWaiting = false
        },
      )
    }
  }

  private hasPending(): boolean {
    while (this.pendingHead < this.pending.length) {
      const signature = this.pending[this.pendingHead] as string
      if (this.isLive(signature) && !this.owner.has(signature)) return true
      this.pendingHead++
    }
    this.pending = []
    this.pendingHead = 0
    return false
  }

  private takePending(): string[] {
    const out = new Set<string>()
    while (out.size < SIGNATURES_PER_STREAM && this.hasPending()) {
      // A signature can be queued twice (stranded, then added again); it takes one place.
      out.add(this.pending[this.pendingHead++] as string)
    }
    return [...out]
  }

  private startShard(signatures: readonly string[], release: () => void): Shard {
    const shard = new Shard(this, signatures, release)
    for (const signature of signatures) this.owner.set(signature, shard)
    this.shards.add(shard)
    this.count.streams++
    shard.start()
    return shard
  }

  /**
   * Moves `extra` signatures onto `old`'s stream by opening a new stream with both before closing the
   * old one, so nothing is missed in between (duplicates from the overlap are idempotent). Should Venum
   * refuse the extra connection (429), the old stream is closed at once to make room: the new stream's
   * snapshot then covers the gap.
   */
  private async replace(old: Shard, extra: readonly string[]): Promise<void> {
    const signatures = [...old.live(), ...extra]
    const next = new Shard(this, signatures, old.handOverSlot())
    old.replacedBy = next
    for (const signature of signatures) this.owner.set(signature, next)
    this.shards.add(next)
    this.count.streams++
    const stop = next.onConnectionLimit(() => void old.close())
    next.start()
    await next.ready
    stop()
    await old.close()
  }

  private readyOf(shards: readonly Shard[]): Promise<void> {
    const ready = Promise.all(shards.map((shard) => shard.ready)).then(() => {
      if (this.resolvedError) throw this.resolvedError
    })
    // Nobody may be awaiting it: a fatal error must not also become an unhandled rejection.
    ready.catch(() => {})
    return ready
  }

  private apply(state: SignatureState, frame: VenumFrame): void {
    const { observation, details } = observe(frame, Date.now())
    this.fold(state, observation, details)
  }

  private fold(state: SignatureState, ...args: Parameters<SignatureState['fold']>): void {
    const result = state.fold(...args)
    for (const diagnostic of result.diagnostics) this.diagnostic(diagnostic)
    if (result.update) this.emitUpdate(result.update)
  }

  /**
   * `timeout`, `verify-timeout` and per-signature `error` end Venum's watcher, not the transaction: one
   * last lookup may still show the tier (or the failure), and only otherwise is the end reported, with
   * outcome unknown.
   */
  private finishSoftly(state: SignatureState, frame: VenumFrame): void {
    if (state.finishing) return
    state.finishing = true
    const end = observe(frame, Date.now())
    void (async () => {
      try {
        const body = await this.lookup(state.signature, this.lifetime.signal)
        this.apply(state, { kind: 'lookup', signature: state.signature, body, source: 'snapshot' })
      } catch (error) {
        if (!this.lifetime.signal.aborted) this.reportError(toChainstreamError(error))
      }
      state.finishing = false
      if (!this.isClosed) this.fold(state, end.observation, end.details)
      this.completeIfDone()
    })()
  }

  private emitUpdate(update: VenumUpdate): void {
    this.count.updates++
    if (update.done) {
      this.liveCount--
      this.owner.delete(update.signature)
    }
    this.out.emit('update', update)
    this.out.push(update)
    this.completeIfDone()
  }

  private completeIfDone(): void {
    if (this.liveCount === 0 && !this.isClosed && !this.persistent) this.finish(undefined)
  }

  private finish(error: ChainstreamError | undefined): void {
    if (this.isClosed) return
    this.isClosed = true
    this.resolvedError = error
    this.lifetime.abort(WATCH_CLOSED)
    this.removeAbortListener?.()
    for (const shard of this.shards) void shard.close()
    this.out.end(error)
    this.out.emit('close', error)
  }

  private closedError(what: string): ChainstreamError {
    return (
      this.resolvedError ??
      new ChainstreamError(
        'Closed',
        `The watch has ended (every signature is done, or it was closed) before ${what}`,
        {
          isRetryable: false,
        },
      )
    )
  }

  private listenerFailed(error: unknown, event: string): void {
    if (event === 'error') {
      this.config.logger.error('a Venum watch error listener threw', { message: String(error) })
      return
    }
    this.reportError(
      new ChainstreamError(
        'ProtocolError',
        `A '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}. The watch continues.`,
        { cause: error, isRetryable: true },
      ),
    )
  }
}
