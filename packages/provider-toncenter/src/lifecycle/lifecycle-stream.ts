import type { ChainstreamError, Diagnostic } from '@chainstream/core'
import type { TonEvent } from '../ton-event.js'
import type { TonStream } from '../ton-stream.js'
import type { TonLifecycleHost } from './lifecycle-host.js'
import type { ResolvedTonLifecycleOptions } from './lifecycle-options.js'
import type { TrackedTraces } from './tracked-traces.js'

/** What {@link LifecycleStream} reports about the current stream. Nothing is reported of an earlier one. */
export interface LifecycleStreamHooks {
  /** An event of the stream (only the tracked traces' and their invalidations matter). */
  event(event: TonEvent): void
  /** The stream is (re)subscribed, on a connection that remembers nothing of the watch's traces yet. */
  subscribed(): void
  /**
   * Traces added to a live WebSocket subscription in place (still tracked; possibly none): no
   * (re)subscribe follows that would take their snapshot.
   */
  addedInPlace(ids: string[]): void
  /** An error of the stream; retryable ones (a drop about to be retried) included. */
  error(error: ChainstreamError): void
  /** A diagnostic of the stream. */
  diagnostic(diagnostic: Diagnostic): void
  /** The stream is gone: closed after idling (no error), or ended by itself (with its fatal error, if any). */
  ended(error: ChainstreamError | undefined): void
  /** Nothing was tracked for `idleTimeoutMs`: the next subscription change should close the stream. */
  idle(): void
}

/**
 * The lifetime of the one `trace` stream of a lifecycle watch, opened on the client with `host.openStream`
 * — so an ordinary `stream()` of the client, with the stream defaults, that rides the client's shared
 * connection. Opened by the first change with something tracked; its set of trace hashes changed with
 * every later one ({@link LifecycleStream.apply}); closed `idleTimeoutMs` after the last track ended; and
 * when it ends by itself, forgotten, so that the next change opens a new one.
 *
 * It also resets what the watch's traces know about the connection (their guards) whenever the stream
 * opens, (re)subscribes or goes away.
 */
export class LifecycleStream {
  #stream: TonStream | undefined
  /** The ids the stream's subscription has. */
  #applied = new Set<string>()
  #detach: () => void = () => {}
  #idleTimer: ReturnType<typeof setTimeout> | undefined
  /** The idle time-out elapsed: the next change closes the stream rather than idling on. */
  #idleDue = false
  /** Bumped on every (re)subscribe of the stream. */
  #epoch = 0
  #closed = false

  readonly #host: TonLifecycleHost
  readonly #options: ResolvedTonLifecycleOptions
  readonly #traces: TrackedTraces
  readonly #hooks: LifecycleStreamHooks

  constructor(
    host: TonLifecycleHost,
    options: ResolvedTonLifecycleOptions,
    traces: TrackedTraces,
    hooks: LifecycleStreamHooks,
  ) {
    this.#host = host
    this.#options = options
    this.#traces = traces
    this.#hooks = hooks
  }

  /** Whether a stream is open (or being opened). */
  get isOpen(): boolean {
    return this.#stream !== undefined
  }

  /** Whether the stream's subscription has `id`. */
  has(id: string): boolean {
    return this.#applied.has(id)
  }

  /**
   * Brings the server's set in line with the tracked set: opens the stream, changes its set, or — with
   * nothing tracked — idles it or, after `idleTimeoutMs`, closes it. Rejects when the server did not take
   * the change (the stream reports nothing of it then).
   */
  async apply(): Promise<void> {
    const desired = this.#traces.list()
    const stream = this.#stream
    const websocket = this.#options.transport === 'websocket'
    if (desired.length === 0) {
      if (!stream) return
      if (this.#idleDue || this.#options.idleTimeoutMs === 0) {
        await this.#closeStream()
        return
      }
      // SSE cannot stream nothing: it keeps streaming the last set, whose events are not tracked.
      if (websocket && this.#applied.size > 0) {
        await stream.unsubscribe({ traceExternalHashNorms: [...this.#applied] })
        this.#applied = new Set()
      }
      this.#armIdle()
      return
    }
    if (!stream) {
      await this.#open(desired).waitSubscribed()
      return
    }
    const added = desired.filter((id) => !this.#applied.has(id))
    if (added.length > 0) {
      const epoch = this.#epoch
      await stream.update({ traceExternalHashNorms: desired })
      this.#applied = new Set(desired)
      // Changed in place, so no (re)subscribe took the snapshot of the added traces (an SSE update re-opens).
      if (websocket && this.#epoch === epoch) {
        this.#hooks.addedInPlace(added.filter((id) => this.#traces.has(id)))
      }
      return
    }
    // Removals alone: in place over WebSocket; over SSE not worth a re-open (they wait for the next one).
    const removed = [...this.#applied].filter((id) => !this.#traces.has(id))
    if (removed.length > 0 && websocket) {
      await stream.unsubscribe({ traceExternalHashNorms: removed })
      for (const id of removed) this.#applied.delete(id)
    }
  }

  /** Something is tracked again: the idle time-out no longer applies. */
  cancelIdle(): void {
    this.#idleDue = false
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
  }

  /** Closes the stream for good; nothing more is reported. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    const stream = this.#stream
    this.#stream = undefined
    this.#detach()
    await stream?.close()
  }

  #open(ids: string[]): TonStream {
    const logger = this.#options.logger
    // Only the subscription and the watch's own stream options: the rest are the stream defaults
    // (recovery on). With no connection settings or logger of its own, the watch rides whatever shared
    // connection of its transport the application's streams hold (their recovery tuned or not), so a
    // tracker beside streams costs no second connection of the key's few.
    const ownSettings = logger !== undefined || Object.keys(this.#options.stream).length > 0
    const stream = this.#host.openStream(
      {
        transport: this.#options.transport,
        types: ['trace'],
        traceExternalHashNorms: ids,
        minFinality: 'pending',
        ...this.#options.stream,
        ...(logger ? { logger } : {}),
      },
      { anyConnection: !ownSettings },
    )
    this.#stream = stream
    this.#applied = new Set(ids)
    this.#traces.resetGuards()
    // Events of a stream that was replaced since are not the watch's any more.
    const current = () => stream === this.#stream
    const offs = [
      stream.on('event', (event) => {
        if (current()) this.#hooks.event(event)
      }),
      stream.on('state', (state) => {
        if (current() && state === 'subscribed') this.#subscribed()
      }),
      stream.on('error', (error) => {
        if (current()) this.#hooks.error(error)
      }),
      stream.on('diagnostic', (diagnostic) => {
        if (current()) this.#hooks.diagnostic(diagnostic)
      }),
      stream.on('close', (error) => {
        if (current()) this.#ended(error)
      }),
    ]
    this.#detach = () => {
      for (const off of offs) off()
      this.#detach = () => {}
    }
    return stream
  }

  #subscribed(): void {
    this.#epoch++
    // A new connection remembers nothing.
    this.#traces.resetGuards()
    this.#hooks.subscribed()
  }

  /** The stream ended by itself. */
  #ended(error: ChainstreamError | undefined): void {
    this.#stream = undefined
    this.#applied = new Set()
    this.#traces.resetGuards()
    this.#detach()
    this.#hooks.ended(error)
  }

  async #closeStream(): Promise<void> {
    const stream = this.#stream
    if (!stream) return
    this.#stream = undefined
    this.#applied = new Set()
    this.#traces.resetGuards()
    this.#idleDue = false
    this.#detach()
    this.#hooks.ended(undefined)
    await stream.close()
  }

  #armIdle(): void {
    if (this.#idleTimer || this.#closed) return
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      if (this.#traces.size > 0 || this.#closed) return
      this.#idleDue = true
      this.#hooks.idle()
    }, this.#options.idleTimeoutMs)
  }
}
