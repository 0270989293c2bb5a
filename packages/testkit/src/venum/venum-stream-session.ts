import type { SseWriter } from './sse-writer.js'
import type { LedgerEntry } from './venum-ledger.js'
import { rankOf } from './venum-lifecycle.js'
import type { VenumChainStatus, VenumStreamEvent, VenumTimings, VenumWatcherTimeout } from './venum-types.js'

/** What a session needs from the simulator around it. */
export interface StreamSessionContext {
  readonly timings: VenumTimings
  readonly timeScale: number
  readonly heartbeatIntervalMs: number
  /** Whether a fresh watcher reports a tier the transaction already reached (commitment polling sees it). */
  readonly catchUp: boolean
  /** Drop the connection after this many `tx`/`error` events (undefined: never). */
  readonly dropAfterEvents: number | undefined
}

/**
 * One open `/v1/stream/tx` connection: the watchers of up to 10 signatures. Sends `ready`, then `tx`
 * events for the requested tiers (plus `failed`, `timeout`, `verify-timeout` and per-signature `error`),
 * `heartbeat`s, and closes the stream itself once every signature reached its end: the strongest
 * requested tier, `failed`, a time-out, or an error.
 */
export class StreamSession {
  /** Signatures whose watcher ended. */
  private readonly ended = new Set<string>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private readonly strongest: number
  private readonly landedOnly: boolean
  private sent = 0
  private closed = false
  /** A half-open connection: nothing written any more, not even the stream's end. */
  private stalled = false

  constructor(
    private readonly conn: SseWriter,
    readonly signatures: readonly string[],
    private readonly events: ReadonlySet<VenumStreamEvent>,
    private readonly context: StreamSessionContext,
  ) {
    let strongest = 0
    for (const event of events) strongest = Math.max(strongest, rankOf(event))
    this.strongest = strongest
    this.landedOnly = events.size === 1 && events.has('landed')
  }

  /** Opens the stream: `ready`, then setup errors and catch-up per signature, then the deadlines. */
  start(entries: readonly LedgerEntry[]): void {
    this.conn.open()
    this.write('ready', { ts: Date.now(), signatures: this.signatures })
    if (this.context.heartbeatIntervalMs > 0) {
      this.heartbeat = setInterval(
        () => this.write('heartbeat', { ts: Date.now() }),
        this.context.heartbeatIntervalMs,
      )
    }
    for (const entry of entries) {
      if (this.closed) return
      if (entry.lifecycle === 'setup-error') {
        this.signatureError(entry.signature, 'watcher setup failed for this signature')
        continue
      }
      if (this.context.catchUp) this.catchUp(entry)
      if (!this.ended.has(entry.signature) && entry.lifecycle !== 'manual') this.armDeadline(entry)
    }
    this.closeIfDone()
  }

  /** The transaction's on-chain status changed. */
  onStatus(entry: LedgerEntry, previous: VenumChainStatus | undefined): void {
    const signature = entry.signature
    if (this.closed || this.ended.has(signature)) return
    if (entry.status === 'failed') {
      this.tx(entry, 'failed')
      this.end(signature)
    } else {
      // Every requested tier passed by this change, in order (a manual jump may pass several).
      const from = rankOf(previous)
      const to = rankOf(entry.status)
      for (const event of ['landed', 'processed', 'confirmed', 'finalized'] as const) {
        const rank = rankOf(event)
        if (rank > from && rank <= to && this.events.has(event)) this.tx(entry, event)
      }
      if (to >= this.strongest) this.end(signature)
    }
    this.closeIfDone()
  }

  /** Sends `timeout`/`verify-timeout` for one signature and ends its watcher. */
  timeout(entry: LedgerEntry, status: VenumWatcherTimeout): void {
    if (this.closed || this.ended.has(entry.signature)) return
    this.tx(entry, status)
    this.end(entry.signature)
    this.closeIfDone()
  }

  /** Sends an `error` event for one signature and ends its watcher; the others keep streaming. */
  signatureError(signature: string, reason: string): void {
    if (this.closed || this.ended.has(signature)) return
    this.write('error', { signature, error: 'watch_failed', reason })
    this.countEvent()
    this.end(signature)
    this.closeIfDone()
  }

  /** Goes silent for good, as a connection whose peer vanished without a FIN does. */
  stall(): void {
    this.stalled = true
  }

  /** Drops the connection abruptly. */
  drop(): void {
    this.conn.destroy()
  }

  /** Stops every timer (the connection closed). */
  dispose(): void {
    this.closed = true
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  private catchUp(entry: LedgerEntry): void {
    if (entry.status === 'failed') {
      this.tx(entry, 'failed')
      this.end(entry.signature)
      return
    }
    // Commitment polling sees where the transaction is now; `landed` (a shred signal) is live-only.
    const current = rankOf(entry.status)
    let best: VenumStreamEvent | undefined
    for (const event of this.events) {
      const rank = rankOf(event)
      if (rank >= 2 && rank <= current && rank > rankOf(best)) best = event
    }
    if (best === undefined) return
    this.tx(entry, best)
    if (current >= this.strongest) this.end(entry.signature)
  }

  private armDeadline(entry: LedgerEntry): void {
    const { landingTimeoutMs, verifyTimeoutMs } = this.context.timings
    const ms = (this.landedOnly ? landingTimeoutMs : verifyTimeoutMs) * this.context.timeScale
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.timeout(entry, this.landedOnly ? 'timeout' : 'verify-timeout')
    }, ms)
    this.timers.add(timer)
  }

  private tx(entry: LedgerEntry, status: string): void {
    const data: Record<string, unknown> = { signature: entry.signature, status, slot: entry.slot }
    if (status === 'failed' && entry.err !== undefined) data.err = entry.err
    data.ts = Date.now()
    this.write('tx', data)
    this.countEvent()
  }

  private countEvent(): void {
    this.sent++
    if (this.context.dropAfterEvents !== undefined && this.sent >= this.context.dropAfterEvents) {
      this.dispose()
      // The N-th event reaches the client first: the drop comes *between* events.
      this.conn.drop()
    }
  }

  private write(event: string, data: unknown): void {
    if (this.closed || this.stalled) return
    this.conn.event(event, data)
  }

  private end(signature: string): void {
    this.ended.add(signature)
  }

  private closeIfDone(): void {
    if (this.closed || this.ended.size < this.signatures.length) return
    // A stalled (half-open) connection does not even manage to end cleanly.
    if (this.stalled) return
    this.dispose()
    this.conn.end()
  }
}
