import { ChainstreamError, type Diagnostic, type Logger } from '@chainstream/core'
import {
  type LifecycleSink,
  type LifecycleWatch,
  type LifecycleWatchOptions,
  onAbort,
  silentLogger,
} from '@chainstream/core/provider'
import { finalityRank } from '../protocol/event-types.js'
import type { TonEvent } from '../ton-event.js'
import type { TonLifecycleHost } from './lifecycle-host.js'
import type { ResolvedTonLifecycleOptions } from './lifecycle-options.js'
import { LifecycleStream } from './lifecycle-stream.js'
import {
  erroredObservation,
  invalidationObservation,
  malformedObservation,
  malformedTraceId,
  traceObservation,
} from './notification-observations.js'
import { SubscriptionBatches } from './subscription-batches.js'
import { safeTraceId, validateTonTraceId } from './trace-id.js'
import { TraceRechecks } from './trace-rechecks.js'
import { TraceReconciliation } from './trace-reconciliation.js'
import { FINALIZED, TrackedTraces } from './tracked-traces.js'

/** How long removals of ended tracks may wait to be sent (see {@link TonLifecycleWatch.remove}). */
const REMOVALS_DELAY_MS = 1_000

/**
 * One watch of the TON lifecycle source (one per tracker; see `createTonLifecycleSource`): the tracked
 * traces, the batches that change the stream's set, the stream, and the API v3 look-ups — and what the
 * watch does with what the stream says.
 */
export class TonLifecycleWatch implements LifecycleWatch {
  readonly #traces: TrackedTraces
  readonly #batches: SubscriptionBatches
  readonly #stream: LifecycleStream
  readonly #rechecks: TraceRechecks
  readonly #reconciliation: TraceReconciliation
  readonly #logger: Logger
  readonly #removeAbort: () => void
  #closed = false

  readonly #sink: LifecycleSink
  /** Sends the removals held back (see {@link TonLifecycleWatch.remove}). */
  #removals: ReturnType<typeof setTimeout> | undefined

  constructor(
    host: TonLifecycleHost,
    options: ResolvedTonLifecycleOptions,
    sink: LifecycleSink,
    watchOptions: LifecycleWatchOptions,
  ) {
    this.#sink = sink

    this.#logger = options.logger ?? host.logger ?? silentLogger
    // The log of changes is kept only for a reconciliation to take.
    this.#traces = new TrackedTraces(options.reconcileAfterMs > 0)
    this.#stream = new LifecycleStream(host, options, this.#traces, {
      event: (event) => this.#onEvent(event),
      subscribed: () => this.#onSubscribed(),
      addedInPlace: (ids) => {
        this.#rechecks.start(ids)
        this.#reconciliation.arm()
      },
      error: (error) => sink.error(error),
      diagnostic: (diagnostic) => this.#onDiagnostic(diagnostic),
      ended: (error) => this.#onStreamEnded(error),
      idle: () => this.#batches.request(),
    })
    this.#batches = new SubscriptionBatches(
      options.batchDelayMs,
      () => this.#stream.apply(),
      // Ids that did not make it onto the server are not watched: the caller was told by the rejection.
      (ids) => {
        for (const id of ids) if (!this.#stream.has(id)) this.#traces.delete(id)
      },
    )
    this.#rechecks = new TraceRechecks(host, options, this.#traces, sink, () => this.#stream.isOpen)
    this.#reconciliation = new TraceReconciliation(
      options,
      this.#traces,
      this.#rechecks,
      () => this.#stream.isOpen && host.v3 !== undefined,
    )
    if (!host.v3) {
      // Not fatal — live updates still arrive — but the caller must know what is missing.
      sink.error(
        new ChainstreamError(
          'ProviderNotConfigured',
          `${host.providerName}: tracked traces cannot be looked up (no TON Center API v3 configured), so a trace ` +
            'that settled before it was tracked, or that was invalidated while reconnecting, is never reported; ' +
            'pass toncenterApiKey or v3BaseUrl',
          { isRetryable: true },
        ),
      )
    }
    this.#removeAbort = onAbort(watchOptions.signal, () => void this.close())
  }

  async add(ids: readonly string[]): Promise<void> {
    if (this.#closed) throw new ChainstreamError('Closed', 'The TON lifecycle watch is closed')
    const list = ids.map(validateTonTraceId)
    let fresh = false
    for (const id of list) if (this.#traces.add(id)) fresh = true
    this.#stream.cancelIdle()
    // Already on the server: nothing to wait for.
    if (!fresh && this.#stream.isOpen && list.every((id) => this.#stream.has(id))) return
    const batch = this.#batches.request()
    for (const id of list) batch.ids.add(id)
    return batch.promise
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (this.#closed) return
    let changed = false
    for (const raw of ids) {
      const id = safeTraceId(raw)
      if (id !== undefined && this.#traces.delete(id)) changed = true
    }
    if (!changed) return
    // The removal that empties the set goes at once, so the stream idles (and closes) on time.
    if (this.#traces.size === 0) {
      clearTimeout(this.#removals)
      this.#removals = undefined
      return this.#batches.request().promise
    }
    // Nothing waits for a removal, and a trace that ended sends nothing more: in a burst of ending tracks,
    // an unsubscribe a second instead of one per round trip, each of which recomputed the whole set. An
    // add meanwhile takes them along (a change brings the server's set in line with the tracked one).
    this.#removals ??= setTimeout(() => {
      this.#removals = undefined
      if (!this.#closed) void this.#batches.request()
    }, REMOVALS_DELAY_MS)
  }

  async snapshot(ids: readonly string[]): Promise<void> {
    const list = ids.map(validateTonTraceId)
    if (this.#closed) return
    await this.#rechecks.check(list)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#removals)
    this.#removeAbort()
    this.#batches.close(new ChainstreamError('Closed', 'The TON lifecycle watch was closed'))
    this.#reconciliation.close()
    const lookups = this.#rechecks.close()
    await this.#stream.close()
    await lookups
  }

  // -----------------------------------------------------------------------------------------------------
  // What the stream says

  #onEvent(event: TonEvent): void {
    if (event.type !== 'trace' && event.type !== 'trace_invalidated') return
    const id = event.trace_external_hash_norm
    if (!this.#traces.has(id)) return
    if (event.type === 'trace') {
      const rank = finalityRank(event.finality)
      // The server remembers a trace on the connection it sent a non-final snapshot to — live, not what
      // the stream's recovery looked up: the server never sent that one, and will not send its invalidation.
      if (event.source === 'stream') {
        this.#traces.delivered(id, rank)
        this.#reconciliation.delivered()
      } else if (rank >= FINALIZED) this.#traces.settled(id)
      this.#traces.raise(id, rank)
      this.#sink.observe(id, traceObservation(event))
    } else {
      this.#traces.forget(id)
      this.#sink.observe(id, invalidationObservation(event))
    }
  }

  /** Rule 10: after every (re)subscribe, a snapshot of every tracked trace that is not final. */
  #onSubscribed(): void {
    const open = this.#traces.notFinal()
    if (open.length > 0) this.#rechecks.start(open)
    this.#reconciliation.arm()
  }

  #onDiagnostic(diagnostic: Diagnostic): void {
    // The stream's recovery stopped watching some held traces: what the server drops of them from now on
    // would go unnoticed, so the stalled ones are looked up now rather than a period later.
    if (diagnostic.code === 'watch-overflow') this.#reconciliation.now()
    const id = malformedTraceId(diagnostic)
    if (id !== undefined && this.#traces.has(id)) {
      // A malformed notification of a tracked trace: a diagnostic on that track, nothing else.
      this.#sink.observe(id, malformedObservation(diagnostic))
      return
    }
    this.#logger.debug('TON lifecycle stream diagnostic', {
      code: diagnostic.code,
      message: diagnostic.message,
    })
  }

  #onStreamEnded(error: ChainstreamError | undefined): void {
    this.#rechecks.cancel()
    this.#reconciliation.cancel()
    if (!error || this.#closed) return
    // Ids whose add() is still waiting learn it from the rejection; every other tracked id from its watch.
    const waiting = this.#batches.waiting()
    const stranded = this.#traces.list().filter((id) => !waiting.has(id))
    if (stranded.length === 0) return
    this.#sink.error(error)
    const at = Date.now()
    for (const id of stranded) {
      this.#traces.delete(id)
      this.#sink.observe(id, erroredObservation(error, at))
    }
  }
}
