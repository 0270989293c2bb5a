import {
  ChainstreamError,
  type Diagnostic,
  type LifecycleSink,
  type LifecycleSourceV1,
  type LifecycleWatch,
  type LifecycleWatchOptions,
  type Logger,
  onAbort,
  silentLogger,
  sleep,
  toChainstreamError,
} from '@chainstream/core'
import { finalityRank, TON_FINALITIES, type TonFinality } from '../protocol/event-types.js'
import { normalizeTraceHash } from '../protocol/trace-hash.js'
import type { V3Client } from '../recovery/v3-client.js'
import type { TonStreamOptions } from '../stream-options.js'
import type { TonEvent } from '../ton-event.js'
import type { TonStream } from '../ton-stream.js'
import {
  type ResolvedTonLifecycleOptions,
  resolveLifecycleOptions,
  type TonLifecycleOptions,
} from './lifecycle-options.js'
import { observationFromTonFinality, observationFromTonInvalidation } from './ton-observations.js'
import { Limiter, lookedUpFinality, lookupTraces, snapshotEvent, type TraceLookup } from './trace-lookup.js'
import { traceOutcome } from './trace-outcome.js'

/** What the lifecycle source needs from a TON client (TON Center or TonAPI). */
export interface TonLifecycleHost {
  /** `'toncenter'`, `'tonapi'`. */
  readonly providerId: string
  /** For messages: `'TON Center'`, `'TonAPI'`. */
  readonly providerName: string
  /** Opens a stream on the client (its `stream()` method). */
  openStream(options: TonStreamOptions): TonStream
  /** TON Center API v3, for snapshots and re-checks; without it, neither is possible. */
  readonly v3: V3Client | undefined
  /** The client's logger. */
  readonly logger?: Logger | undefined
}

const FINALIZED = finalityRank('finalized')

/**
 * Checks and normalises a TON trace id for tracking: a `trace_external_hash_norm` (32 bytes). Accepted as
 * standard base64 (44 characters with `=`, the form the server sends), url-safe base64 (with or without
 * `=`) or 64 hex digits; returned in the standard form.
 *
 * @throws {ChainstreamError} `InvalidArgument` saying what a valid id looks like.
 * @example
 * ```ts
 * validateTonTraceId('U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY') // 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
 * ```
 */
export function validateTonTraceId(id: string): string {
  try {
    return normalizeTraceHash(id)
  } catch (error) {
    const text = typeof id === 'string' ? id : String(id)
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text
    throw new ChainstreamError(
      'InvalidArgument',
      `Invalid TON trace id "${shown}": track a trace by its trace_external_hash_norm — 32 bytes as standard base64 ` +
        '(44 characters ending in "=", e.g. "U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY="), url-safe base64 ' +
        '(with or without "="), or 64 hex digits',
      { isRetryable: false, cause: error },
    )
  }
}

/**
 * The TON half of the cross-chain tracker: a {@link LifecycleSourceV1} over TON Streaming v2 `trace`
 * events. What `createToncenter(...).lifecycle` and `createTonapi(...).lifecycle` are.
 *
 * Each watch (one per tracker) holds **one** multiplexed stream: `types: ['trace']`,
 * `trace_external_hash_norms` = the tracked set, `min_finality: 'pending'`. Adds and removes made in the same
 * turn of the event loop (or within `batchDelayMs`) become one subscription change: over WebSocket the set
 * is changed in place (`subscribe` with the new set, `unsubscribe` for removals); over SSE the request is
 * re-opened with the new set (removals alone are not worth a re-open and wait for the next one). With
 * nothing left to track the connection stays idle for `idleTimeoutMs`, then closes; the next track opens a
 * new one.
 *
 * Observations:
 * - a `trace` notification → a `tier` observation (`observationFromTonFinality`): the wire finality as tier
 *   and `providerStatus`, the outcome by {@link traceOutcome} (failure from aborted / failed compute /
 *   failed action phases at any finality; success at confirmed and finalized; unknown at a clean pending),
 *   the notification as `data`, its `source` (`stream`, or `snapshot` for API v3 look-ups);
 * - `trace_invalidated` → `invalidated` (terminal);
 * - a malformed notification of a tracked trace → `unknown_status` (a diagnostic; never a throw);
 * - stream errors → `sink.error`; a fatal one → watch `errored` for every tracked id.
 *
 * Snapshots (rule 10 of the finality model), from TON Center API v3 (`/traces?msg_hash=`, then
 * `/pendingTraces?ext_msg_hash=`): after every (re)subscribe, of every tracked trace not seen finalized;
 * after an in-place WebSocket change, of the added traces; and on demand with `snapshot(ids)`. The
 * stream is an ordinary `stream()` of the client, with the stream defaults, so it rides the client's
 * shared connection with the application's own streams (its recovery re-checks too; the tracker's
 * lifecycle machine takes a repeated observation as the duplicate it is). A held trace (seen pending/confirmed) that API v3 lists
 * neither committed nor pending, twice `notFoundGraceMs` apart, is reported invalidated — but only when
 * the current connection cannot tell: the server sends `trace_invalidated` only on the connection that
 * was delivered a non-final snapshot of the trace, so traces seen before a reconnect, or only in a
 * snapshot, are re-checked every `recheckIntervalMs` until the stream reports them again or they settle.
 */
export function createTonLifecycleSource(
  host: TonLifecycleHost,
  options: TonLifecycleOptions = {},
): LifecycleSourceV1 {
  const resolved = resolveLifecycleOptions(options)
  return {
    specificationVersion: 'v1',
    chain: 'ton',
    providerId: host.providerId,
    validateId: validateTonTraceId,
    openLifecycleWatch: (sink, watchOptions) => new TonLifecycleWatch(host, resolved, sink, watchOptions),
  }
}

interface Batch {
  readonly promise: Promise<void>
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
  /** The ids whose `add()` waits on this batch. */
  readonly ids: Set<string>
}

function newBatch(): Batch {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Nobody may be waiting (an idle check, a removal): a rejection must never be unhandled.
  promise.catch(() => {})
  return { promise, resolve, reject, ids: new Set() }
}

const safeTraceId = (id: unknown): string | undefined => {
  try {
    return typeof id === 'string' ? normalizeTraceHash(id) : undefined
  } catch {
    return undefined
  }
}

class TonLifecycleWatch implements LifecycleWatch {
  /** The ids the caller watches. */
  private readonly tracked = new Set<string>()
  /** The ids the current stream's subscription has. */
  private applied = new Set<string>()
  /** The highest finality rank reported per tracked id (1 pending … 3 finalized). */
  private readonly seen = new Map<string, number>()
  /**
   * Tracked traces the current connection was delivered below finalized: the server remembers them, so
   * it will send their invalidation. Every other held trace is re-checked through API v3.
   */
  private guarded = new Set<string>()
  private stream: TonStream | undefined
  private detachStream: () => void = () => {}
  /** The next subscription change, collecting adds and removes. */
  private pending: Batch | undefined
  /** The change being applied now. */
  private inflight: Batch | undefined
  private running = false
  private batchTimer: ReturnType<typeof setTimeout> | undefined
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private recheckTimer: ReturnType<typeof setTimeout> | undefined
  private idleDue = false
  /** Bumped on every (re)subscribe of the stream. */
  private epoch = 0
  private closed = false
  private readonly lifetime = new AbortController()
  private readonly limiter: Limiter
  private readonly work = new Set<Promise<void>>()
  private readonly logger: Logger
  private readonly removeAbort: () => void

  constructor(
    private readonly host: TonLifecycleHost,
    private readonly options: ResolvedTonLifecycleOptions,
    private readonly sink: LifecycleSink,
    watchOptions: LifecycleWatchOptions,
  ) {
    this.limiter = new Limiter(options.snapshotConcurrency)
    this.logger = options.logger ?? host.logger ?? silentLogger
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
    this.removeAbort = onAbort(watchOptions.signal, () => void this.close())
  }

  // -----------------------------------------------------------------------------------------------------
  // LifecycleWatch

  async add(ids: readonly string[]): Promise<void> {
    if (this.closed) throw new ChainstreamError('Closed', 'The TON lifecycle watch is closed')
    const list = ids.map(validateTonTraceId)
    let fresh = false
    for (const id of list) {
      if (this.tracked.has(id)) continue
      this.tracked.add(id)
      fresh = true
    }
    this.cancelIdle()
    if (!fresh && this.stream && list.every((id) => this.applied.has(id))) return
    const batch = this.request()
    for (const id of list) batch.ids.add(id)
    return batch.promise
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (this.closed) return
    let changed = false
    for (const raw of ids) {
      const id = safeTraceId(raw)
      if (id === undefined || !this.tracked.delete(id)) continue
      this.seen.delete(id)
      this.guarded.delete(id)
      changed = true
    }
    if (changed) return this.request().promise
  }

  async snapshot(ids: readonly string[]): Promise<void> {
    const list = ids.map(validateTonTraceId)
    if (this.closed) return
    await this.check(list)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.removeAbort()
    for (const timer of [this.batchTimer, this.idleTimer, this.recheckTimer]) if (timer) clearTimeout(timer)
    this.batchTimer = this.idleTimer = this.recheckTimer = undefined
    this.lifetime.abort()
    this.pending?.reject(new ChainstreamError('Closed', 'The TON lifecycle watch was closed'))
    this.pending = undefined
    const stream = this.stream
    this.stream = undefined
    this.detachStream()
    await stream?.close()
    await Promise.allSettled([...this.work])
  }

  // -----------------------------------------------------------------------------------------------------
  // Subscription changes: batched, one at a time

  private request(): Batch {
    this.pending ??= newBatch()
    if (!this.running && !this.batchTimer && !this.closed) {
      this.batchTimer = setTimeout(() => {
        this.batchTimer = undefined
        void this.run()
      }, this.options.batchDelayMs)
    }
    return this.pending
  }

  private async run(): Promise<void> {
    if (this.running || this.closed) return
    this.running = true
    try {
      while (this.pending && !this.closed) {
        const batch = this.pending
        this.pending = undefined
        this.inflight = batch
        try {
          await this.sync()
          batch.resolve()
        } catch (error) {
          // Ids that did not make it onto the server are not watched: the caller was told by the rejection.
          for (const id of batch.ids) if (!this.applied.has(id)) this.untrack(id)
          batch.reject(error)
        } finally {
          this.inflight = undefined
        }
      }
    } finally {
      this.running = false
    }
  }

  /** Brings the server's set in line with the tracked set. */
  private async sync(): Promise<void> {
    const desired = [...this.tracked]
    const stream = this.stream
    if (desired.length === 0) {
      if (!stream) return
      if (this.idleDue || this.options.idleTimeoutMs === 0) {
        await this.closeStream()
        return
      }
      if (this.options.transport === 'websocket' && this.applied.size > 0) {
        await stream.unsubscribe({ traceExternalHashNorms: [...this.applied] })
        this.applied = new Set()
      }
      this.armIdle()
      return
    }
    if (!stream) {
      const opened = this.openStream(desired)
      await opened.waitSubscribed()
      return
    }
    const added = desired.filter((id) => !this.applied.has(id))
    if (added.length > 0) {
      const epoch = this.epoch
      await stream.update({ traceExternalHashNorms: desired })
      this.applied = new Set(desired)
      // Changed in place: no (re)subscribe took the snapshot of the added traces, so take it here.
      if (this.options.transport === 'websocket' && this.epoch === epoch) {
        this.spawn(this.check(added.filter((id) => this.tracked.has(id))))
      }
      return
    }
    const removed = [...this.applied].filter((id) => !this.tracked.has(id))
    if (removed.length > 0 && this.options.transport === 'websocket') {
      await stream.unsubscribe({ traceExternalHashNorms: removed })
      for (const id of removed) this.applied.delete(id)
    }
  }

  private openStream(ids: string[]): TonStream {
    const logger = this.options.logger
    const stream = this.host.openStream({
      transport: this.options.transport,
      types: ['trace'],
      traceExternalHashNorms: ids,
      minFinality: 'pending',
      ...this.options.stream,
      ...(logger ? { logger } : {}),
    })
    this.stream = stream
    this.applied = new Set(ids)
    this.guarded = new Set()
    const offs = [
      stream.on('event', (event) => this.onEvent(stream, event)),
      stream.on('state', (state) => {
        if (stream === this.stream && state === 'subscribed') this.onSubscribed()
      }),
      stream.on('error', (error) => {
        if (stream === this.stream) this.sink.error(error)
      }),
      stream.on('diagnostic', (diagnostic) => {
        if (stream === this.stream) this.onDiagnostic(diagnostic)
      }),
      stream.on('close', (error) => this.onStreamClosed(stream, error)),
    ]
    this.detachStream = () => {
      for (const off of offs) off()
      this.detachStream = () => {}
    }
    return stream
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream
    if (!stream) return
    this.stream = undefined
    this.applied = new Set()
    this.guarded = new Set()
    this.idleDue = false
    this.detachStream()
    this.cancelRecheck()
    await stream.close()
  }

  private armIdle(): void {
    if (this.idleTimer || this.closed) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      if (this.tracked.size > 0 || this.closed) return
      this.idleDue = true
      this.request()
    }, this.options.idleTimeoutMs)
  }

  private cancelIdle(): void {
    this.idleDue = false
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  private cancelRecheck(): void {
    if (this.recheckTimer) clearTimeout(this.recheckTimer)
    this.recheckTimer = undefined
  }

  private untrack(id: string): void {
    this.tracked.delete(id)
    this.seen.delete(id)
    this.guarded.delete(id)
  }

  // -----------------------------------------------------------------------------------------------------
  // What the stream says

  private onEvent(stream: TonStream, event: TonEvent): void {
    if (stream !== this.stream) return
    if (event.type === 'trace') {
      const id = event.trace_external_hash_norm
      if (!this.tracked.has(id)) return
      const rank = finalityRank(event.finality)
      // The server remembers a trace on the connection it sent a non-final snapshot to.
      if (rank < FINALIZED) this.guarded.add(id)
      else this.guarded.delete(id)
      this.raise(id, rank)
      this.sink.observe(id, this.tierObservation(id, event.finality, event.transactions, event))
    } else if (event.type === 'trace_invalidated') {
      const id = event.trace_external_hash_norm
      if (!this.tracked.has(id)) return
      this.seen.delete(id)
      this.guarded.delete(id)
      this.sink.observe(
        id,
        observationFromTonInvalidation({ at: Date.now(), source: event.source, data: event }),
      )
    }
  }

  private tierObservation(id: string, finality: TonFinality, transactions: unknown, data: TonEvent<'trace'>) {
    const { outcome, error } = traceOutcome(id, finality, transactions)
    return observationFromTonFinality(finality, {
      at: Date.now(),
      source: data.source,
      data,
      ...(outcome !== undefined ? { outcome } : {}),
      ...(error !== undefined ? { error } : {}),
    })
  }

  /** Rule 10: after every (re)subscribe, a snapshot of every tracked trace that is not final. */
  private onSubscribed(): void {
    this.epoch++
    // A new connection remembers nothing.
    this.guarded = new Set()
    const open = [...this.tracked].filter((id) => (this.seen.get(id) ?? 0) < FINALIZED)
    if (open.length > 0) this.spawn(this.check(open))
  }

  private onDiagnostic(diagnostic: Diagnostic): void {
    const data = diagnostic.data as Record<string, unknown> | undefined
    const id =
      diagnostic.code === 'invalid-frame' && typeof data === 'object' && data !== null
        ? safeTraceId(data.trace_external_hash_norm)
        : undefined
    if (id !== undefined && this.tracked.has(id)) {
      // A malformed notification of a tracked trace: a diagnostic on that track, nothing else.
      const finality = data?.finality
      const known = (TON_FINALITIES as readonly unknown[]).includes(finality)
      this.sink.observe(id, {
        kind: 'unknown_status',
        providerStatus: known || typeof finality !== 'string' ? `malformed ${String(data?.type)}` : finality,
        source: 'stream',
        at: Date.now(),
        data: diagnostic,
      })
      return
    }
    this.logger.debug('TON lifecycle stream diagnostic', {
      code: diagnostic.code,
      message: diagnostic.message,
    })
  }

  private onStreamClosed(stream: TonStream, error: ChainstreamError | undefined): void {
    if (stream !== this.stream) return
    this.stream = undefined
    this.applied = new Set()
    this.guarded = new Set()
    this.detachStream()
    this.cancelRecheck()
    if (!error || this.closed) return
    // Ids whose add() is still waiting learn it from the rejection; every other tracked id from its watch.
    const waiting = new Set([...(this.inflight?.ids ?? []), ...(this.pending?.ids ?? [])])
    const stranded = [...this.tracked].filter((id) => !waiting.has(id))
    if (stranded.length === 0) return
    this.sink.error(error)
    const at = Date.now()
    for (const id of stranded) {
      this.untrack(id)
      this.sink.observe(id, { kind: 'watch', status: 'errored', reason: error.message, error, at })
    }
  }

  // -----------------------------------------------------------------------------------------------------
  // Snapshots and re-checks (API v3)

  private spawn(task: Promise<void>): void {
    this.work.add(task)
    void task.finally(() => this.work.delete(task))
  }

  private raise(id: string, rank: number): void {
    if (rank > (this.seen.get(id) ?? 0)) this.seen.set(id, rank)
  }

  /**
   * Looks `ids` up in API v3 and reports what is new: committed traces at their finality, pending ones at
   * pending, unknown ones as `not_found`; a held trace the current connection cannot be told about that
   * is gone twice `notFoundGraceMs` apart is invalidated. Never throws: failures go to `sink.error`.
   */
  private async check(ids: readonly string[]): Promise<void> {
    const client = this.host.v3
    if (!client || ids.length === 0 || this.closed) return
    const signal = this.lifetime.signal
    try {
      const first = await lookupTraces(client, ids, this.limiter, signal)
      this.report(first)
      const missing = ids.filter((id) => !first.committed.has(id) && !first.pending.has(id))
      const suspects: { id: string; rank: number }[] = []
      for (const id of missing) {
        if (!this.tracked.has(id)) continue
        const rank = this.seen.get(id) ?? 0
        if (rank === 0) {
          this.sink.observe(id, {
            kind: 'not_found',
            providerStatus: 'not_found',
            source: 'snapshot',
            at: Date.now(),
          })
        } else if (rank < FINALIZED && !this.guarded.has(id)) {
          suspects.push({ id, rank })
        }
      }
      if (suspects.length > 0) {
        // API v3 may lag the stream: look once more before calling a trace gone.
        if (this.options.notFoundGraceMs > 0) await sleep(this.options.notFoundGraceMs, signal)
        const again = await lookupTraces(
          client,
          suspects.map((s) => s.id),
          this.limiter,
          signal,
        )
        this.report(again)
        for (const { id, rank } of suspects) {
          if (again.committed.has(id) || again.pending.has(id)) continue
          // Nothing new arrived meanwhile, and this connection still would not be told.
          if (!this.tracked.has(id) || this.seen.get(id) !== rank || this.guarded.has(id)) continue
          this.seen.delete(id)
          this.sink.observe(
            id,
            observationFromTonInvalidation({
              at: Date.now(),
              source: 'snapshot',
              data: { type: 'trace_invalidated', trace_external_hash_norm: id, source: 'snapshot' },
            }),
          )
        }
      }
    } catch (error) {
      if (!signal.aborted) this.sink.error(toChainstreamError(error))
    } finally {
      this.armRecheck()
    }
  }

  private report(found: TraceLookup): void {
    for (const [pending, traces] of [
      [false, found.committed],
      [true, found.pending],
    ] as const) {
      for (const [id, trace] of traces) {
        if (!this.tracked.has(id)) continue
        const finality = lookedUpFinality(trace, pending)
        const rank = finalityRank(finality)
        // What the stream (or an earlier snapshot) already reported is not news.
        if (rank <= (this.seen.get(id) ?? 0)) continue
        this.raise(id, rank)
        if (rank >= FINALIZED) this.guarded.delete(id)
        const event = snapshotEvent(id, finality, trace)
        this.sink.observe(id, this.tierObservation(id, finality, trace.transactions, event))
      }
    }
  }

  /** Held traces the current connection would not be told about if they were invalidated. */
  private unguarded(): string[] {
    const out: string[] = []
    for (const id of this.tracked) {
      const rank = this.seen.get(id) ?? 0
      if (rank > 0 && rank < FINALIZED && !this.guarded.has(id)) out.push(id)
    }
    return out
  }

  private armRecheck(): void {
    if (this.recheckTimer || this.closed || !this.host.v3 || !this.stream) return
    if (this.unguarded().length === 0) return
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined
      const ids = this.unguarded()
      if (ids.length > 0) this.spawn(this.check(ids))
    }, this.options.recheckIntervalMs)
  }
}
