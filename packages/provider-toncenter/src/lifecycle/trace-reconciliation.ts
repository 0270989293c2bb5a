import type { ResolvedTonLifecycleOptions } from './lifecycle-options.js'
import type { TraceRechecks } from './trace-rechecks.js'
import { FINALIZED, type TrackedTraces } from './tracked-traces.js'

/** Stream deliveries this recent mean the reader is busy, and may be behind. */
const QUIET_MS = 250
/** How many periods in a row a busy reader may put off. */
const MAX_DEFERRALS = 2
/** A period that confirmed losses is followed by the next after this part of a period. */
const CATCH_UP = 4

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
 * While the stream is delivering (a delivery in the last 250 ms) a period is put off by another one, at most
 * twice in a row: a reader working through a backlog has the notifications of what looks stalled still
 * waiting in its socket, and looking them up then would only add work where it hurts most; the longer
 * window also makes a trace that does move less likely to be looked up. Drops happen to a reader that is
 * behind, so they are looked up once it caught up — or two periods later at the latest.
 *
 * A period whose look-ups found something new for at least half of the traces it looked up, with more due
 * than it took, confirmed that the server dropped for this reader: the next one follows after a quarter of
 * a period, not put off (the rest are likely lost too), for as long as periods keep confirming losses. So
 * the rate stays bounded — `reconcileMaxTraces` per quarter period at most, at `snapshotConcurrency` — and a
 * mass loss still settles in minutes rather than one bound a period.
 *
 * A `watch-overflow` of the stream's recovery (held traces released from its watching) calls for a period
 * at once ({@link TraceReconciliation.now}), which looks up every trace not seen finalized, changed or not.
 * No time is kept per trace: the traces' own log of changes (`TrackedTraces.takeChanged`) says which ones
 * moved during the period.
 */
export class TraceReconciliation {
  #timer: ReturnType<typeof setTimeout> | undefined
  /** Where the next period starts in the list of due traces, when more were due than one period takes. */
  #cursor = 0
  #closed = false
  /** When the stream last delivered a notification of a tracked trace (epoch ms). */
  #deliveredAt = 0
  /** Periods put off in a row because the stream was delivering. */
  #deferrals = 0
  /** A period's look-ups are under way: the next period is scheduled when they end. */
  #running = false

  readonly #options: Pick<ResolvedTonLifecycleOptions, 'reconcileAfterMs' | 'reconcileMaxTraces'>
  readonly #traces: TrackedTraces
  readonly #rechecks: Pick<TraceRechecks, 'start'>
  readonly #connected: () => boolean

  constructor(
    options: Pick<ResolvedTonLifecycleOptions, 'reconcileAfterMs' | 'reconcileMaxTraces'>,
    traces: TrackedTraces,
    rechecks: Pick<TraceRechecks, 'start'>,
    /** Whether the watch has a stream now: without one there is nothing to fall behind on. */
    connected: () => boolean,
  ) {
    this.#options = options
    this.#traces = traces
    this.#rechecks = rechecks
    this.#connected = connected
  }

  /** Starts the periods, unless they run already or there is nothing to reconcile. */
  arm(): void {
    if (this.#timer || this.#running) return
    // What changed before the first period began is not held against it; and with no period to take it
    // (no stream, no API v3), the log is emptied here, at every subscription change, so it stays short.
    this.#traces.takeChanged()
    if (this.#closed || this.#options.reconcileAfterMs === 0 || !this.#connected()) return
    if (this.#traces.size > 0) this.#schedule()
  }

  /** The stream delivered a notification of a tracked trace. */
  delivered(): void {
    this.#deliveredAt = Date.now()
  }

  /** Looks up every trace not seen finalized now (up to the bound), then goes on with the periods. */
  now(): void {
    if (this.#closed || this.#options.reconcileAfterMs === 0 || !this.#connected() || this.#running) return
    this.cancel()
    this.#deferrals = 0
    this.#period(true)
  }

  /** No period until the next `arm()` (the stream is gone). */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  close(): void {
    this.#closed = true
    this.cancel()
  }

  #schedule(catchUp = false): void {
    const delay = catchUp ? this.#options.reconcileAfterMs / CATCH_UP : this.#options.reconcileAfterMs
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      const busy = Date.now() - this.#deliveredAt < QUIET_MS
      if (!catchUp && busy && this.#deferrals < MAX_DEFERRALS) {
        // Busy: the period is put off, and the changes of this one count towards the next.
        this.#deferrals++
        this.#schedule()
        return
      }
      this.#deferrals = 0
      this.#period(false)
    }, delay)
  }

  #period(all: boolean): void {
    const changed = this.#traces.takeChanged()
    const due: string[] = []
    for (const id of this.#traces.list()) {
      if (this.#traces.rank(id) < FINALIZED && (all || !changed.has(id))) due.push(id)
    }
    const picked = this.#pick(due)
    if (picked.length === 0) {
      this.#next(false)
      return
    }
    this.#running = true
    void this.#rechecks.start(picked, 'reconcile').then((found) => {
      this.#running = false
      this.#next(found * 2 >= picked.length && due.length > picked.length)
    })
  }

  #next(catchUp: boolean): void {
    if (this.#timer || this.#closed || this.#traces.size === 0 || !this.#connected()) return
    this.#schedule(catchUp)
  }

  /** At most `reconcileMaxTraces` of `due`, continuing where the previous period stopped. */
  #pick(due: string[]): string[] {
    const max = this.#options.reconcileMaxTraces
    if (due.length <= max) {
      this.#cursor = 0
      return due
    }
    const start = this.#cursor % due.length
    this.#cursor = start + max
    const picked = due.slice(start, start + max)
    if (picked.length < max) picked.push(...due.slice(0, max - picked.length))
    return picked
  }
}
