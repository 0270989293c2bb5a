import { type LifecycleSink, sleep, toChainstreamError } from '@chainstream/core/provider'
import { finalityRank } from '../protocol/event-types.js'
import { Limiter, type LookupResult, lookupTraces } from '../recovery/v3-lookups.js'
import type { TonLifecycleHost } from './lifecycle-host.js'
import type { ResolvedTonLifecycleOptions } from './lifecycle-options.js'
import { lookedUpInvalidation, notFoundObservation, traceObservation } from './notification-observations.js'
import { lookedUpFinality, snapshotEvent } from './snapshot-event.js'
import { FINALIZED, type TrackedTraces } from './tracked-traces.js'

/**
 * The lifecycle watch's own look-ups of its traces in TON Center API v3 — snapshots (rule 10 of the
 * finality model) and re-checks — independent of what the stream's recovery does on the connection.
 *
 * A snapshot ({@link TraceRechecks.check}) reports what the stream has not: a trace that moved before it
 * was tracked, or while the connection was down. A re-check is the same look-up, every
 * `recheckIntervalMs`, of the held traces the current connection is not guarded on (the server sends
 * `trace_invalidated` only on the connection that was delivered a non-final snapshot of the trace): it
 * runs while any is left and the watch has a stream, and is what reports their invalidation. A look-up
 * that failed (API v3 down) is owed again: its traces are looked up with every re-check until one answers,
 * or a trace seen by no one yet (nothing held, so nothing to re-check) that settled while the connection
 * was down would wait for a reconnect, or for reconciliation, to be found.
 */
export class TraceRechecks {
  readonly #limiter: Limiter
  readonly #lifetime = new AbortController()
  /** Look-ups under way in the background; the watch's close waits for them. */
  readonly #work = new Set<Promise<unknown>>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  /** Traces whose last look-up failed: looked up again with every re-check until one answers. */
  readonly #failed = new Set<string>()

  readonly #host: Pick<TonLifecycleHost, 'v3'>
  readonly #options: Pick<
    ResolvedTonLifecycleOptions,
    'notFoundGraceMs' | 'recheckIntervalMs' | 'snapshotConcurrency'
  >
  readonly #traces: TrackedTraces
  readonly #sink: LifecycleSink
  readonly #connected: () => boolean

  constructor(
    /** Its `v3`, read at every look-up (a host may make its client on first use); without it, none. */
    host: Pick<TonLifecycleHost, 'v3'>,
    options: Pick<
      ResolvedTonLifecycleOptions,
      'notFoundGraceMs' | 'recheckIntervalMs' | 'snapshotConcurrency'
    >,
    traces: TrackedTraces,
    sink: LifecycleSink,
    /** Whether the watch has a stream now: without one, nothing is guarded and nothing re-checked. */
    connected: () => boolean,
  ) {
    this.#host = host
    this.#options = options
    this.#traces = traces
    this.#sink = sink
    this.#connected = connected

    this.#limiter = new Limiter(options.snapshotConcurrency)
  }

  /** {@link TraceRechecks.check} in the background; the watch's close waits for it. Never rejects. */
  start(ids: readonly string[], mode: 'snapshot' | 'reconcile' = 'snapshot'): Promise<number> {
    const task = this.check(ids, mode)
    this.#work.add(task)
    void task.finally(() => this.#work.delete(task))
    return task
  }

  /**
   * Looks `ids` up in API v3 and reports what is new: committed traces at their finality, pending ones at
   * pending, unknown ones never seen as `not_found`; a held trace the current connection cannot be told
   * about that is gone twice `notFoundGraceMs` apart is invalidated. Then arms the periodic re-check if
   * there is something to re-check. Never throws: failures go to `sink.error`. Resolves with how many of
   * the traces it reported something new of.
   *
   * `reconcile` is the look-up of traces that stalled (see `TraceReconciliation`): what it finds is
   * reported with `source: 'reconciled'`, a trace never seen is not reported again as `not_found`, and a
   * held trace is invalidated when gone even if the connection is guarded on it — the server's
   * `trace_invalidated` may be the very notification it dropped.
   */
  async check(ids: readonly string[], mode: 'snapshot' | 'reconcile' = 'snapshot'): Promise<number> {
    const client = this.#host.v3
    if (!client || ids.length === 0 || this.#closed) return 0
    const signal = this.#lifetime.signal
    const reconcile = mode === 'reconcile'
    const source = reconcile ? 'reconciled' : 'snapshot'
    // Whether a held trace that API v3 does not list may be one the server invalidated unheard.
    const suspect = (id: string) => reconcile || !this.#traces.isGuarded(id)
    let found = 0
    try {
      const first = await lookupTraces(client, ids.map(target), this.#limiter, signal)
      for (const id of ids) this.#failed.delete(id)
      found += this.#report(first, source)
      const suspects: { id: string; rank: number }[] = []
      for (const id of ids) {
        if (first.committed.has(id) || first.pending.has(id) || !this.#traces.has(id)) continue
        const rank = this.#traces.rank(id)
        if (rank === 0) {
          if (!reconcile) this.#sink.observe(id, notFoundObservation())
        } else if (rank < FINALIZED && suspect(id)) suspects.push({ id, rank })
      }
      if (suspects.length === 0) return found
      // API v3 may lag the stream: look once more before calling a trace gone.
      if (this.#options.notFoundGraceMs > 0) await sleep(this.#options.notFoundGraceMs, signal)
      const again = await lookupTraces(
        client,
        suspects.map((s) => target(s.id)),
        this.#limiter,
        signal,
      )
      found += this.#report(again, source)
      for (const { id, rank } of suspects) {
        if (again.committed.has(id) || again.pending.has(id)) continue
        // Nothing new arrived meanwhile, and this connection still would not be told.
        if (!this.#traces.has(id) || this.#traces.rank(id) !== rank || !suspect(id)) continue
        this.#traces.forget(id)
        this.#sink.observe(id, lookedUpInvalidation(id, source))
        found++
      }
    } catch (error) {
      if (!signal.aborted) {
        for (const id of ids)
          if (this.#traces.has(id) && this.#traces.rank(id) < FINALIZED) this.#failed.add(id)
        this.#sink.error(toChainstreamError(error))
      }
    } finally {
      this.#arm()
    }
    return found
  }

  /** No periodic re-check until the next look-up arms one (the stream is gone). */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Stops every look-up and timer; resolves when the look-ups under way have ended. */
  async close(): Promise<void> {
    this.#closed = true
    this.cancel()
    this.#lifetime.abort()
    await Promise.allSettled([...this.#work])
  }

  /**
   * Reports what API v3 found beyond what the stream (or an earlier look-up) already reported; answers of
   * how many traces.
   */
  #report(found: LookupResult, source: 'snapshot' | 'reconciled'): number {
    let reported = 0
    for (const [pending, traces] of [
      [false, found.committed],
      [true, found.pending],
    ] as const) {
      for (const [id, trace] of traces) {
        if (!this.#traces.has(id)) continue
        const finality = lookedUpFinality(trace, pending)
        const rank = finalityRank(finality)
        if (rank <= this.#traces.rank(id)) continue
        this.#traces.raise(id, rank)
        if (rank >= FINALIZED) this.#traces.settled(id)
        this.#sink.observe(id, traceObservation(snapshotEvent(id, finality, trace, source)))
        reported++
      }
    }
    return reported
  }

  #arm(): void {
    if (this.#timer || this.#closed || !this.#host.v3 || !this.#connected()) return
    if (this.#traces.unguarded().length === 0 && this.#failed.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      const ids = this.#due()
      if (ids.length > 0) this.start(ids)
    }, this.#options.recheckIntervalMs)
  }

  /** What a re-check looks up: the unguarded held traces, and those whose last look-up failed. */
  #due(): string[] {
    const ids = new Set(this.#traces.unguarded())
    for (const id of this.#failed) {
      if (!this.#traces.has(id) || this.#traces.rank(id) >= FINALIZED) this.#failed.delete(id)
      else ids.add(id)
    }
    return [...ids]
  }
}

/** The watch knows its traces by hash only: API v3 finds them by `msg_hash`. */
const target = (hash: string) => ({ hash })
