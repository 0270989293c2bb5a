import type { ChainstreamError } from '../errors/chainstream-error.js'
import { evaluateWait } from '../finality/evaluate-wait.js'
import { checkLifecycleInput, createLifecycleState, reduceLifecycle } from '../finality/lifecycle-machine.js'
import type { LifecycleState } from '../finality/lifecycle-state.js'
import { type LifecycleUpdate, updateOf } from '../finality/lifecycle-update.js'
import type { Observation } from '../finality/observation.js'
import { FINALITY_TIERS, type ObservedTier, tierRank } from '../finality/tiers.js'
import { waitAbortedError, waitTimeoutError, watchErroredError } from '../finality/wait-errors.js'
import type { Diagnostic } from '../provider/provider-v1.js'
import { FanOut } from '../stream/fan-out.js'
import { onAbort } from '../util/abort.js'
import type { TrackedTransaction, TrackedTransactionEvents } from './tracker-types.js'

/** Callbacks from a track to its tracker (one per chain, shared by its tracks). */
export interface TrackOwner {
  /** The chain of the tracks. */
  readonly chain: string
  updated(update: LifecycleUpdate): void
  diagnostic(diagnostic: Diagnostic): void
  listenerFailed(error: unknown): void
  ended(track: Track): void
}

const noop = () => {}

/** The bits of {@link Track}'s `bits` that hold its target's rank (1–4, see `tierRank`). */
const TARGET = 7
/** The bit of {@link Track}'s `bits` set once it ended. */
const ENDED = 8
/** The bit of {@link Track}'s `bits` set while the newest update emitted carried `reachedTarget`. */
const REACHED_ON_LATEST = 16

/** What few tracks have: a watch time-out, an abort signal, pending waits. */
interface TrackExtras {
  timer: ReturnType<typeof setTimeout> | undefined
  removeAbort: () => void
  waiters: Set<() => void> | undefined
}

/**
 * One tracked transaction: folds observations through the lifecycle machine and settles waits. Ends —
 * and lets go of its listeners, timers and waiters — on a terminal update or when its watch stops.
 *
 * A tracker may hold tens of thousands of these, most of which nobody listens to or waits on and many of
 * which have seen nothing yet: the lifecycle state is made by the first observation (or read), the
 * listeners, `for await` queues, waiters and the current update on first use, the time-out, abort listener
 * and waiters share one object that only tracks with any of them have, and the owner (with the chain) is
 * shared by every track of a chain. So a track that has seen nothing is its id, target and start time —
 * the start time in the slot the state takes later (which has it), the target and the end in one small
 * integer: two fields fewer on every one of them, and no boxed start time once the state exists.
 *
 * A track under way keeps no update: an update carries the provider's payload (`data`: for a TON trace,
 * the whole notification), and one kept per track until the next would outlive the young generation in a
 * burst of tens of thousands of tracks and be promoted, which made garbage collection the largest cost of
 * a burst. {@link Track.current} is made from the state instead; an ended track keeps its last update.
 */
export class Track implements TrackedTransaction {
  readonly id: string
  /** The lifecycle state, or until the first observation or read makes it, the start time. */
  #lifecycle: LifecycleState | number
  /** The target's rank, plus {@link ENDED} once the track ended. */
  #bits: number
  /**
   * The update `current` answers: made from the state on first read after each update, or once the track
   * ended, the last update emitted (see the class comment).
   */
  #latest: LifecycleUpdate | undefined
  #out: FanOut<LifecycleUpdate, TrackedTransactionEvents> | undefined
  #extras: TrackExtras | undefined

  readonly #owner: TrackOwner

  constructor(
    input: { id: string; target: ObservedTier; timeoutMs: number; signal?: AbortSignal },
    owner: TrackOwner,
  ) {
    this.#owner = owner

    this.id = input.id
    const startedAt = Date.now()
    this.#lifecycle = startedAt
    // Refused now, as making the state would, though the state is made later.
    const target = checkLifecycleInput({ id: input.id, chain: owner.chain, target: input.target, startedAt })
    this.#bits = tierRank(target)
    if (input.timeoutMs > 0) {
      const timeoutMs = input.timeoutMs
      this.#more().timer = setTimeout(
        () =>
          this.observe({
            kind: 'watch',
            status: 'timed_out',
            reason: `no terminal within ${timeoutMs} ms`,
            at: Date.now(),
          }),
        timeoutMs,
      )
    }
    if (input.signal) {
      this.#more().removeAbort = onAbort(input.signal, () => this.cancel('aborted by the caller'))
    }
  }

  get chain(): string {
    return this.#owner.chain
  }

  /** The lifecycle state, made on first use. */
  get #state(): LifecycleState {
    if (typeof this.#lifecycle === 'number') {
      this.#lifecycle = createLifecycleState({
        id: this.id,
        chain: this.#owner.chain,
        target: FINALITY_TIERS[this.#bits & TARGET] as ObservedTier,
        startedAt: this.#lifecycle,
      })
    }
    return this.#lifecycle
  }

  get current(): LifecycleUpdate {
    this.#latest ??= updateOf(this.#state, (this.#bits & REACHED_ON_LATEST) !== 0, undefined)
    return this.#latest
  }

  get ended(): boolean {
    return (this.#bits & ENDED) !== 0
  }

  on<K extends keyof TrackedTransactionEvents>(event: K, listener: TrackedTransactionEvents[K]): () => void {
    if (this.ended) return noop
    return this.#fanOut().on(event, listener)
  }

  off<K extends keyof TrackedTransactionEvents>(event: K, listener: TrackedTransactionEvents[K]): void {
    this.#out?.off(event, listener)
  }

  /** Feeds one observation through the lifecycle machine. */
  observe(observation: Observation): void {
    if (this.ended) return
    const fresh = typeof this.#lifecycle === 'number'
    const step = reduceLifecycle(this.#state, observation)
    // A look-up that did not find a transaction nothing was seen of only counts (`notFoundCount`), and a
    // track shows no count: it keeps having no state (a tracker's snapshot of ids not sent yet finds none).
    const counted = fresh && observation.kind === 'not_found' && step.diagnostics.length === 0
    this.#lifecycle = counted ? step.state.startedAt : step.state
    const out = this.#out
    for (const diagnostic of step.diagnostics) {
      out?.emit('diagnostic', diagnostic)
      this.#owner.diagnostic(diagnostic)
    }
    let last: LifecycleUpdate | undefined
    for (const update of step.updates) {
      last = update
      if (out) {
        out.emit('update', update)
        out.push(update)
      }
      this.#owner.updated(update)
    }
    const ends =
      this.#state.terminal !== undefined ||
      (this.#state.watch !== 'watching' && this.#state.watch !== 'reached')
    if (last) {
      this.#bits = last.reachedTarget ? this.#bits | REACHED_ON_LATEST : this.#bits & ~REACHED_ON_LATEST
      // The waits settle with the update itself; then only a track that ends here keeps it (the next read
      // of `current` makes one from the state otherwise).
      this.#latest = last
      const waiters = this.#extras?.waiters
      if (waiters) for (const waiter of [...waiters]) waiter()
      if (!ends) this.#latest = undefined
    }
    if (ends) this.#end()
  }

  cancel(reason = 'cancelled'): void {
    this.observe({ kind: 'watch', status: 'aborted', reason, at: Date.now() })
  }

  reached(
    tier: ObservedTier,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<LifecycleUpdate> {
    return this.#waitFor(
      () => {
        const verdict = evaluateWait(this.#state, tier)
        if (verdict.kind === 'resolved') return { value: this.current }
        if (verdict.kind === 'rejected') return { error: verdict.error }
        return undefined
      },
      options,
      () => waitTimeoutError(this.#state, tier),
      () => waitAbortedError(this.#state, tier),
    )
  }

  settled(options: { signal?: AbortSignal } = {}): Promise<LifecycleUpdate> {
    return this.#waitFor(
      () => {
        if (this.#state.terminal !== undefined) return { value: this.current }
        if (!this.ended) return undefined
        const watch = this.#state.watch
        if (watch === 'timed_out') return { error: waitTimeoutError(this.#state, 'finalized') }
        if (watch === 'errored') return { error: watchErroredError(this.#state, 'finalized') }
        return { error: waitAbortedError(this.#state, 'finalized') }
      },
      options,
      () => waitTimeoutError(this.#state, 'finalized'),
      () => waitAbortedError(this.#state, 'finalized'),
    )
  }

  [Symbol.asyncIterator](): AsyncIterator<LifecycleUpdate> {
    // A late consumer first sees where the transaction is now.
    const state = this.#lifecycle
    const moved = (typeof state !== 'number' && state.updatedAt !== state.startedAt) || this.ended
    return this.#fanOut().iterator(moved ? this.current : undefined)
  }

  #waitFor(
    check: () => { value: LifecycleUpdate } | { error: ChainstreamError } | undefined,
    options: { timeoutMs?: number; signal?: AbortSignal },
    timeoutError: () => ChainstreamError,
    abortedError: () => ChainstreamError,
  ): Promise<LifecycleUpdate> {
    const now = check()
    if (now) return 'value' in now ? Promise.resolve(now.value) : Promise.reject(now.error)
    if (options.signal?.aborted) return Promise.reject(abortedError())
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const extras = this.#more()
      extras.waiters ??= new Set()
      const waiters = extras.waiters
      const settle = (result: { value: LifecycleUpdate } | { error: ChainstreamError }) => {
        waiters.delete(waiter)
        if (timer) clearTimeout(timer)
        removeAbort()
        if ('value' in result) resolve(result.value)
        else reject(result.error)
      }
      const waiter = () => {
        const result = check()
        if (result) settle(result)
      }
      const removeAbort = onAbort(options.signal, () => settle({ error: abortedError() }))
      if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
        timer = setTimeout(() => settle({ error: timeoutError() }), options.timeoutMs)
      }
      waiters.add(waiter)
    })
  }

  #end(): void {
    if (this.ended) return
    this.#bits |= ENDED
    const extras = this.#extras
    if (extras) {
      if (extras.timer) clearTimeout(extras.timer)
      extras.removeAbort()
      const waiters = extras.waiters
      extras.waiters = undefined
      if (waiters) for (const waiter of [...waiters]) waiter()
    }
    this.#out?.end(undefined)
    this.#out?.clearListeners()
    this.#owner.ended(this)
  }

  #more(): TrackExtras {
    this.#extras ??= { timer: undefined, removeAbort: noop, waiters: undefined }
    return this.#extras
  }

  /** The listeners and `for await` consumers, made on first use (an ended track gives ended ones). */
  #fanOut(): FanOut<LifecycleUpdate, TrackedTransactionEvents> {
    if (!this.#out) {
      const owner = this.#owner
      // A transaction has a handful of updates; a consumer that never pulls keeps only the newest 1,000.
      this.#out = new FanOut({
        onListenerError: (error) => owner.listenerFailed(error),
        bufferSize: 1_000,
        overflow: 'dropOldest',
      })
      if (this.ended) this.#out.end(undefined)
    }
    return this.#out
  }
}
