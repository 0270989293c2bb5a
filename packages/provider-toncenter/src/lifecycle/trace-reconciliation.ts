import type { ResolvedTonLifecycleOptions } from './lifecycle-options.js'
import type { TraceRechecks } from './trace-rechecks.js'
import { FINALIZED, type TrackedTraces } from './tracked-traces.js'

/**
 * The lifecycle watch's reconciliation of stalled traces with TON Center API v3.
 *
 * The server drops notifications for a client that reads too slowly (64 frames per WebSocket client, 16 per
 * SSE connection) and says nothing about it, so a tracked trace whose finalized snapshot or
 * `trace_invalidated` was dropped — guarded or not, seen or never seen — would wait for its time-out.
 * Every `reconcileAfterMs` this looks at the traces not seen finalized and looks up those that did not
 * change during the whole period (so between one and two periods after their last change), at most
 * `reconcileMaxTraces` of them per period, taken in turn when more are due. The look-up is the watch's own
 * (`TraceRechecks.check` in `reconcile` mode): what it finds is reported with `source: 'reconciled'`, and
 * the tracker's lifecycle machine takes a repeat of what the stream said as the duplicate it is.
 *
 * A `watch-overflow` of the stream's recovery (held traces released from its watching) calls for a period
 * at once ({@link TraceReconciliation.now}), which looks up every trace not seen finalized, changed or not.
 * No time is kept per trace: the traces' own log of changes (`TrackedTraces.takeChanged`) says which ones
 * moved during the period.
 */
export class TraceReconciliation {
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Where the next period starts in the list of due traces, when more were due than one period takes. */
  private cursor = 0
  private closed = false

  constructor(
    private readonly options: Pick<ResolvedTonLifecycleOptions, 'reconcileAfterMs' | 'reconcileMaxTraces'>,
    private readonly traces: TrackedTraces,
    private readonly rechecks: Pick<TraceRechecks, 'start'>,
    /** Whether the watch has a stream now: without one there is nothing to fall behind on. */
    private readonly connected: () => boolean,
  ) {}

  /** Starts the periods, unless they run already or there is nothing to reconcile. */
  arm(): void {
    if (this.timer || this.closed || this.options.reconcileAfterMs === 0 || !this.connected()) return
    if (this.traces.size === 0) return
    // What changed before the first period began is not held against it.
    this.traces.takeChanged()
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.period(false)
    }, this.options.reconcileAfterMs)
  }

  /** Looks up every trace not seen finalized now (up to the bound), then goes on with the periods. */
  now(): void {
    if (this.closed || this.options.reconcileAfterMs === 0 || !this.connected()) return
    this.cancel()
    this.period(true)
  }

  /** No period until the next `arm()` (the stream is gone). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  close(): void {
    this.closed = true
    this.cancel()
  }

  private period(all: boolean): void {
    const changed = this.traces.takeChanged()
    const due: string[] = []
    for (const id of this.traces.list()) {
      if (this.traces.rank(id) < FINALIZED && (all || !changed.has(id))) due.push(id)
    }
    const picked = this.pick(due)
    if (picked.length > 0) this.rechecks.start(picked, 'reconcile')
    if (this.traces.size > 0 && this.connected() && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.period(false)
      }, this.options.reconcileAfterMs)
    }
  }

  /** At most `reconcileMaxTraces` of `due`, continuing where the previous period stopped. */
  private pick(due: string[]): string[] {
    const max = this.options.reconcileMaxTraces
    if (due.length <= max) {
      this.cursor = 0
      return due
    }
    const start = this.cursor % due.length
    this.cursor = start + max
    const picked = due.slice(start, start + max)
    if (picked.length < max) picked.push(...due.slice(0, max - picked.length))
    return picked
  }
}
