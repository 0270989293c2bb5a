import { ChainstreamError, type Diagnostic, type LifecycleState } from '@chainstream/core'
import {
  abortError,
  FanOut,
  type LifecycleDiagnosticSink,
  listenerError,
  onAbort,
} from '@chainstream/core/provider'
import type { RequestLimiter } from './request-limiter.js'
import type { Shard } from './shard.js'
import type { PoolLease, ShardPool } from './shard-pool.js'
import { validateSignatures } from './signature.js'
import type { PoolConsumer } from './signature-route.js'
import { SignatureState, type TrackingProfile } from './signature-state.js'
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

/** What every watch of one client shares. */
export interface WatchResources {
  readonly config: VenumConfig
  readonly limiter: RequestLimiter
  /**
   * The streams a new watch rides: the client's shared pool, or (with `shared: false`) a pool of its own
   * that asks Venum for exactly `events`.
   */
  streams(events: readonly VenumEvent[]): PoolLease
  /** The watches open now, so that closing the client ends them (each removes itself when it ends). */
  readonly open?: Set<{ terminate(error: ChainstreamError): Promise<void> }>
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
 * How a watch behaves beyond its public options. `persistent` is a long-lived multiplexed watch (the
 * waits of a client, the tracker's lifecycle watch): it may start empty, does not end when every
 * signature is done, and watches a done signature again when it is added again (a new track of the same
 * transaction).
 */
export interface WatchMode {
  readonly persistent?: boolean
}

const WATCH_OPTION_KEYS = new Set(['signatures', 'events', 'signal'])

/** Whether the signature's watch is over: its last update was `done` (only its lifecycle is kept then). */
const isDone = (state: SignatureState | LifecycleState): boolean =>
  !(state instanceof SignatureState) || state.done

/** Watched now: not done, not removed. */
const isWatched = (state: SignatureState | LifecycleState): state is SignatureState =>
  state instanceof SignatureState && !state.done && !state.removed

/** Creates a watch (see {@link VenumWatch}). Validates everything before any request. */
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
  const watch = new Watch(
    resources.streams(events),
    signatures,
    events,
    options.signal,
    mode.persistent === true,
  )
  const open = resources.open
  if (open) {
    open.add(watch)
    void watch.closed.then(() => open.delete(watch))
  }
  return watch
}

/**
 * A watch is a consumer of a shard pool: the pool carries its signatures on streams (shared with the
 * other consumers of the client, or its own with `shared: false`); the watch keeps its own lifecycle per
 * signature, its listeners, `for await` queues, counters and end. Closing it takes only its own
 * signatures off the streams — a signature another consumer still watches stays where it is.
 */
class Watch implements VenumWatch, PoolConsumer {
  readonly events: readonly VenumEvent[]
  readonly ready: Promise<void>
  readonly #pool: ShardPool
  readonly #eventSet: ReadonlySet<VenumEvent>
  readonly #target: VenumEvent
  /**
   * Per signature: its state while it is watched, then only its final lifecycle (what `lifecycle()` still
   * answers): a watch of thousands of signatures keeps them all once they are done.
   */
  readonly #states = new Map<string, SignatureState | LifecycleState>()
  #liveCount = 0
  /** Listeners, `for await` consumers and `closed`. */
  readonly #out: FanOut<VenumUpdate, VenumWatchEvents>
  readonly #removeAbortListener: () => void
  #isClosed = false
  #resolvedError: ChainstreamError | undefined
  /** Leaving the pool on the end: resolves once the streams only this watch needed are closed. */
  #leaving: Promise<void> = Promise.resolve()
  readonly #ridden = new WeakSet<Shard>()
  readonly #count: VenumWatchCounters = { updates: 0, streams: 0, lookups: 0, errors: 0 }
  /** Where the lifecycle's diagnostics go: one function for every fold, not one per frame. */
  readonly #report: LifecycleDiagnosticSink = (diagnostic) => this.diagnostic(diagnostic)

  readonly #lease: PoolLease
  readonly #persistent: boolean

  constructor(
    lease: PoolLease,
    signatures: readonly string[],
    events: readonly VenumEvent[],
    signal: AbortSignal | undefined,
    persistent: boolean,
  ) {
    this.#lease = lease
    this.#persistent = persistent
    this.#pool = lease.pool
    this.events = events
    this.#eventSet = new Set(events)
    this.#target = strongestEvent(events)
    this.#out = new FanOut({
      onListenerError: (error, event) => this.#listenerFailed(error, String(event)),
      // Unbounded on purpose: a watch emits at most five updates per signature (four tiers and an end),
      // so its output is bounded by what the caller asked to watch, and dropping one would break the
      // one-terminal-update promise.
      bufferSize: Number.POSITIVE_INFINITY,
      overflow: 'fail',
    })
    const profile = this.#profile()
    for (const signature of signatures) this.#track(signature, profile)
    // An already aborted signal ends the watch before any request.
    this.#removeAbortListener = onAbort(signal, () => this.#finish(abortError(signal, 'the Venum watch')))
    this.ready = this.#settled(this.#isClosed ? Promise.resolve() : this.#pool.join(this, signatures))
  }

  get watching(): string[] {
    const out: string[] = []
    for (const state of this.#states.values()) if (isWatched(state)) out.push(state.signature)
    return out
  }

  get counters(): VenumWatchCounters {
    return { ...this.#count }
  }

  on<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): () => void {
    return this.#out.on(event, listener)
  }

  off<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): void {
    this.#out.off(event, listener)
  }

  lifecycle(signature: string): LifecycleState | undefined {
    const state = this.#states.get(signature)
    return state instanceof SignatureState ? state.state : state
  }

  async add(signatures: readonly string[]): Promise<void> {
    if (this.#isClosed) throw this.#closedError('add()')
    const fresh: string[] = []
    let profile: TrackingProfile | undefined
    for (const signature of validateSignatures(signatures, 'add(signatures)')) {
      const state = this.#states.get(signature)
      const done = state !== undefined && isDone(state)
      if (state === undefined || (this.#persistent && done)) {
        profile ??= this.#profile()
        this.#track(signature, profile)
        fresh.push(signature)
      } else if (state instanceof SignatureState && state.removed && !done) {
        state.removed = false
        this.#liveCount++
        fresh.push(signature)
      }
    }
    await this.#settled(this.#pool.join(this, fresh))
  }

  async remove(signatures: readonly string[]): Promise<void> {
    const left: string[] = []
    for (const signature of validateSignatures(signatures, 'remove(signatures)')) {
      const state = this.#states.get(signature)
      if (!state) continue
      if (isWatched(state)) {
        state.removed = true
        this.#liveCount--
        left.push(signature)
      }
      // A long-lived multiplexed watch forgets what it no longer watches, or it would grow forever.
      if (this.#persistent) this.#states.delete(signature)
    }
    const leaving = this.#pool.leave(this, left)
    this.#completeIfDone()
    await leaving
  }

  async close(): Promise<void> {
    this.#finish(undefined)
    await this.#leaving
  }

  /** Ends the watch with `error` (its client was closed): whoever relies on it learns why. */
  async terminate(error: ChainstreamError): Promise<void> {
    this.#finish(error)
    await this.#leaving
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.#out.closed
  }

  [Symbol.asyncIterator](): AsyncIterator<VenumUpdate> {
    return this.#out.iterator()
  }

  // ---------------------------------------------------------------------------------------------------
  // PoolConsumer

  receive(frame: VenumFrame): void {
    if (this.#isClosed) return
    const state = this.#states.get(frame.signature)
    if (state === undefined || !isWatched(state)) return
    const update = state.receive(frame, Date.now(), this.#report)
    if (update) this.#emitUpdate(update)
  }

  streamError(error: ChainstreamError): void {
    if (this.#isClosed) return
    this.#count.errors++
    this.#out.emit('error', error)
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.#out.emit('diagnostic', diagnostic)
  }

  streamFailed(error: ChainstreamError): void {
    this.#finish(error)
  }

  rides(shard: Shard): void {
    if (this.#ridden.has(shard)) return
    this.#ridden.add(shard)
    this.#count.streams++
  }

  lookedUp(): void {
    this.#count.lookups++
  }

  // ---------------------------------------------------------------------------------------------------

  /** What the signatures tracked now share: one object for a whole batch, not a copy per signature. */
  #profile(): TrackingProfile {
    return { events: this.#eventSet, target: this.#target, startedAt: Date.now() }
  }

  #track(signature: string, profile: TrackingProfile): void {
    this.#states.set(signature, new SignatureState(signature, profile))
    this.#liveCount++
  }

  /** `placed`, then the fatal error if one ended the watch meanwhile. */
  #settled(placed: Promise<void>): Promise<void> {
    const ready = placed.then(() => {
      if (this.#resolvedError) throw this.#resolvedError
    })
    // Nobody may be awaiting it: a fatal error must not also become an unhandled rejection.
    ready.catch(() => {})
    return ready
  }

  #emitUpdate(update: VenumUpdate): void {
    this.#count.updates++
    if (update.done) {
      const state = this.#states.get(update.signature)
      if (state instanceof SignatureState) this.#states.set(update.signature, state.state)
      this.#liveCount--
      this.#pool.leaveOne(this, update.signature)
    }
    this.#out.emit('update', update)
    this.#out.push(update)
    this.#completeIfDone()
  }

  #completeIfDone(): void {
    if (this.#liveCount === 0 && !this.#isClosed && !this.#persistent) this.#finish(undefined)
  }

  #finish(error: ChainstreamError | undefined): void {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#resolvedError = error
    this.#removeAbortListener?.()
    this.#leaving = this.#pool.leave(this, this.watching)
    this.#lease.release()
    this.#out.end(error)
    this.#out.emit('close', error)
  }

  #closedError(what: string): ChainstreamError {
    return (
      this.#resolvedError ??
      new ChainstreamError(
        'Closed',
        `The watch has ended (every signature is done, or it was closed) before ${what}`,
        {
          isRetryable: false,
        },
      )
    )
  }

  #listenerFailed(error: unknown, event: string): void {
    if (event === 'error') {
      this.#pool.config.logger.error('a Venum watch error listener threw', { message: String(error) })
      return
    }
    this.streamError(listenerError(error, event, 'watch'))
  }
}
