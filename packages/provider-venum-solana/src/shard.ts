import { type ChainStream, ChainstreamError, type Diagnostic } from '@chainstream/core'
import {
  createStreamEngine,
  type StreamProviderV1,
  sleep,
  sseTransport,
  toChainstreamError,
} from '@chainstream/core/provider'
import { classifyStreamError, isTierPollingUnavailable } from './classify-error.js'
import { decodeVenumEvent } from './decode-frame.js'
import type { RateGate, ReleaseSlot } from './stream-slots.js'
import type { VenumTxStatus } from './tx-status.js'
import type { VenumFrame } from './venum-frame.js'
import { streamUrl, type VenumConfig } from './venum-options.js'
import type { VenumEvent } from './venum-statuses.js'

/** What {@link ShardHost.lookupEach} reports per signature. */
export interface LookupHooks {
  wanted(signature: string): boolean
  found(signature: string, body: VenumTxStatus): void
  failed(signature: string, error: unknown): void
}

/** What a shard needs from the pool that owns it. */
export interface ShardHost {
  readonly config: VenumConfig
  readonly events: readonly VenumEvent[]
  readonly gate: RateGate
  /**
   * Whether some consumer still needs the signature on a live stream (Venum has not ended its watcher)
   * and this shard carries it (or the shard that replaced it does).
   */
  isLiveOn(signature: string, shard: Shard): boolean
  /**
   * Whether a snapshot lookup of the signature still has something to tell: it is live on this shard, and
   * the shard's current connection has not reported a status of it yet (a status reported after `ready`
   * is at least where the transaction was when the stream subscribed, so the lookup would add nothing).
   */
  needsSnapshot(signature: string, shard: Shard): boolean
  /**
   * `GET /v1/tx/:signature` through the client's limiter; with `wanted`, skipped (`undefined`) when it is
   * no longer wanted by the time its turn comes.
   */
  lookup(signature: string, signal: AbortSignal, wanted?: () => boolean): Promise<VenumTxStatus | undefined>
  /**
   * The same lookup for each of `signatures` that is still `wanted` when its turn comes, as one entry of
   * the client's queue; `cancel()` drops the ones not started yet. `done` settles once every started one
   * has answered (`found`) or failed (`failed`). `signal` is asked for by each lookup as it starts (so
   * that nothing is made for a batch whose every signature is no longer wanted).
   */
  lookupEach(
    signatures: readonly string[],
    signal: () => AbortSignal,
    hooks: LookupHooks,
  ): { done: Promise<void>; cancel: () => void }
  ingest(frame: VenumFrame, shard: Shard): void
  /** A non-fatal problem of this shard's stream, for the consumers of its signatures. */
  reportError(error: ChainstreamError, shard: Shard): void
  diagnostic(diagnostic: Diagnostic, shard: Shard): void
  shardClosed(shard: Shard, error: ChainstreamError | undefined): void
  /**
   * The shard ended by itself with snapshot lookups in flight, left to answer: the host cancels them
   * ({@link Shard.cancelLookups}) once nothing is watched, unless they settle first ({@link settled}).
   */
  orphaned(shard: Shard): void
  /** The snapshot lookups of an ended shard have all settled. */
  settled(shard: Shard): void
}

// One shared abort reason: `abort()` without one makes a DOMException (with a stack) every time.
const SHARD_STOPPED = new ChainstreamError(
  'Closed',
  'this stream stopped the work (closed, or streaming again)',
  {
    isRetryable: false,
  },
)

/** What a shard has asked for before its first connection. */
const NOTHING_REQUESTED: ReadonlySet<string> = new Set()

/** Numbers every connection of every shard, so that a number names one connection. */
let connections = 0

/** At most this many signatures per stream: Venum answers 400 beyond it. */
export const SIGNATURES_PER_STREAM = 10

/**
 * How long a stream whose every signature Venum has ended may take to close itself before the client
 * closes it. Venum closes it right after the last event, so this only bounds a server that does not.
 */
export const COMPLETION_GRACE_MS = 1_000

/**
 * One `/v1/stream/tx` stream for up to 10 signatures, on the core's stream engine: it reconnects with
 * only the signatures that are still live, takes a REST snapshot of them after every `ready` (subscribe
 * first, then snapshot), treats Venum closing the stream after every signature ended as completion, and
 * falls back to polling `GET /v1/tx` while Venum answers 503 — the engine keeps retrying the stream, and
 * the first subscribed connection ends the polling.
 */
export class Shard {
  readonly ready: Promise<void>
  /** The shard that took this one's signatures over (a re-shard after `add`). */
  replacedBy: Shard | undefined
  #engine: ChainStream<VenumFrame> | undefined
  #polling: AbortController | undefined
  #resolveReady!: () => void
  #closedFlag = false
  #closing: Promise<void> | undefined
  #release: ReleaseSlot | undefined
  /** Made by the first listener (a re-shard's replacement): a client may hold a thousand shards. */
  #limitListeners: Set<() => void> | undefined
  /**
   * Set by `close()`, or at the end when no snapshot is in flight (else by the pool, see
   * {@link ShardHost.orphaned}): cancels its snapshots.
   */
  #lookupsCancelled = false
  /**
   * Aborts the snapshot lookups in flight; made by the first lookup that is actually sent. Most streams
   * report every signature before their snapshot's turn comes, and on Node an AbortSignal costs about a
   * kilobyte: for a watch of thousands of signatures, one per stream added up.
   */
  #lookupController: AbortController | undefined
  /** Snapshots under way (each a batch of lookups). */
  #snapshots = 0
  /** The signatures being looked up; made by a snapshot, let go of once none is under way. */
  #snapshotting: Set<string> | undefined
  /** Cancels the snapshots still queued: a closed stream must not be held until their turn. */
  #queuedSnapshots: Set<() => void> | undefined
  /** The current connection saw `ready`, and its snapshot started. */
  #readySeen = false
  #recovered = false
  /** The signatures the current connection asked Venum for (a set: asked for every last frame of one). */
  #requested: ReadonlySet<string> = NOTHING_REQUESTED
  /** The number of the current connection (unique across shards; 0 before the first). */
  connection = 0
  /** Of those, the ones whose watcher Venum ended on this connection: once all are, it closes the stream. */
  #venumEnded = new Set<string>()
  /** Waiting for Venum to close a stream it has finished (see {@link Shard.closeIfEmpty}). */
  #completion: Promise<void> | undefined
  #resolveCompletion: (() => void) | undefined
  #completionTimer: ReturnType<typeof setTimeout> | undefined
  readonly #host: ShardHost

  constructor(
    host: ShardHost,
    readonly signatures: readonly string[],
    release: ReleaseSlot | undefined,
  ) {
    this.#host = host
    this.#release = release
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve
    })
  }

  /** Whether any of its signatures still needs a stream (asked after every frame: no array made). */
  hasLive(): boolean {
    for (const signature of this.signatures) if (this.#host.isLiveOn(signature, this)) return true
    return false
  }

  /** The signatures of this shard that still need a stream. */
  live(): string[] {
    return this.signatures.filter((signature) => this.#host.isLiveOn(signature, this))
  }

  get isClosed(): boolean {
    return this.#closedFlag || this.#closing !== undefined
  }

  /** Subscribed and streaming (not polling, not closing): a re-shard may move signatures onto it. */
  get isStreaming(): boolean {
    return !this.isClosed && this.replacedBy === undefined && this.#engine?.state === 'subscribed'
  }

  /** Hands this shard's stream slot to its replacement. */
  handOverSlot(): ReleaseSlot | undefined {
    const release = this.#release
    this.#release = undefined
    return release
  }

  /** Calls `listener` when the stream is refused for the connection limit (429); returns the remover. */
  onConnectionLimit(listener: () => void): () => void {
    this.#limitListeners ??= new Set()
    const listeners = this.#limitListeners
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  start(): void {
    const { config } = this.#host
    const provider: StreamProviderV1<VenumFrame> = {
      specificationVersion: 'v1',
      providerId: 'venum',
      // SSE only: the WebSocket transport stays out of the bundle.
      transports: { sse: sseTransport },
      open: () => {
        this.#readySeen = false
        this.#recovered = false
        const live = this.live()
        if (live.length === 0) {
          throw new ChainstreamError('Closed', 'every signature of this stream has ended', {
            isRetryable: false,
          })
        }
        this.#requested = new Set(live)
        this.connection = ++connections
        this.#venumEnded = new Set()
        return {
          transport: 'sse',
          url: streamUrl(config, live, this.#host.events),
          headers: { ...config.headers },
          ...(config.fetch ? { fetch: config.fetch } : {}),
        }
      },
      // Venum acknowledges with its own `ready` event.
      subscribe: () => ({ kind: 'ack' }),
      recover: () => {
        this.#recovered = true
        return this.#snapshot()
      },
      decode: (frame) => {
        if (frame.transport !== 'sse') {
          return {
            kind: 'diagnostic',
            diagnostic: { code: 'unexpected-frame', message: 'Venum streams are SSE only' },
          }
        }
        const decoded = decodeVenumEvent(frame.message)
        if (decoded.kind === 'subscribed') this.#readySeen = true
        return decoded
      },
      classifyError: (error) => classifyStreamError(error, config.unavailableRetryMs),
      // Venum closes a stream once every signature on it ended: completion, not a drop.
      isComplete: () => !this.hasLive(),
    }
    const engine = createStreamEngine<VenumFrame>({
      provider,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      logger: config.logger,
      random: config.random,
      ...(config.reconnect ? { reconnect: config.reconnect } : {}),
    })
    this.#engine = engine
    engine.on('event', (frame) => this.#host.ingest(frame, this))
    engine.on('error', (error) => this.#host.reportError(error, this))
    engine.on('diagnostic', (diagnostic) => this.#host.diagnostic(diagnostic, this))
    engine.on('reconnect', ({ error }) => {
      if (isTierPollingUnavailable(error)) this.#startPolling()
      // A stream that ended right after `ready`, before its snapshot could start, would otherwise never
      // close the gap if Venum kept doing that: take the snapshot now.
      if (this.#readySeen && !this.#recovered) {
        this.#snapshot().catch((failure: unknown) =>
          this.#host.reportError(toChainstreamError(failure), this),
        )
      }
      if (error.code === 'ConnectionLimit')
        for (const listener of [...(this.#limitListeners ?? [])]) listener()
    })
    engine.on('state', (state) => {
      if (state !== 'subscribed') return
      this.#stopPolling()
      this.#resolveReady()
    })
    engine.on('close', (error) => this.#onClosed(error))
  }

  /** Cancels its snapshot lookups, those in flight too. */
  cancelLookups(): void {
    this.#lookupsCancelled = true
    this.#lookupController?.abort(SHARD_STOPPED)
  }

  /** The signal of its snapshot lookups (already aborted once they are cancelled). */
  #lookupSignal(): AbortSignal {
    this.#lookupController ??= new AbortController()
    const controller = this.#lookupController
    if (this.#lookupsCancelled) controller.abort(SHARD_STOPPED)
    return controller.signal
  }

  /** Venum ended its watcher of `signature` on the current connection (its last status, or an error). */
  venumEndedWatcher(signature: string): void {
    if (this.#requested.has(signature)) this.#venumEnded.add(signature)
  }

  /**
   * Closes the stream when none of its signatures needs it any more; resolves once it is closed (at once
   * when it stays open). A stream whose every signature Venum has ended is left for Venum to close — it
   * does so right after the last event, and that normal end keeps the connection for the next stream
   * instead of aborting a request and tearing a socket down — unless it has not within
   * {@link COMPLETION_GRACE_MS}.
   */
  closeIfEmpty(): Promise<void> {
    if (this.isClosed || this.hasLive()) return this.#closing ?? Promise.resolve()
    if (this.#finishedByVenum()) return this.#awaitCompletion()
    return this.close()
  }

  /** Closes the stream and stops polling; resolves once the socket is closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.cancelLookups()
      this.#stopPolling()
      if (this.#engine) await this.#engine.close()
      else this.#onClosed(undefined)
    })()
    return this.#closing
  }

  #finishedByVenum(): boolean {
    return (
      this.#engine?.state === 'subscribed' &&
      this.#requested.size > 0 &&
      this.#venumEnded.size === this.#requested.size
    )
  }

  #awaitCompletion(): Promise<void> {
    this.#completion ??= new Promise((resolve) => {
      this.#resolveCompletion = resolve
      this.#completionTimer = setTimeout(() => void this.close(), COMPLETION_GRACE_MS)
    })
    return this.#completion
  }

  #onClosed(error: ChainstreamError | undefined): void {
    if (this.#closedFlag) return
    this.#closedFlag = true
    if (this.#queuedSnapshots) for (const cancel of this.#queuedSnapshots) cancel()
    if (this.#completionTimer) clearTimeout(this.#completionTimer)
    this.#completionTimer = undefined
    this.#resolveCompletion?.()
    // A stream that ended by itself (Venum closes it once its signatures are done) leaves its snapshots in
    // flight to answer, and drops the answers: cancelling an HTTP/1.1 request tears its connection down,
    // and the next lookup would pay for a new one. The pool cancels them once nothing is watched.
    if (this.#snapshots > 0 && !this.#lookupsCancelled) this.#host.orphaned(this)
    else this.cancelLookups()
    this.#stopPolling()
    this.#release?.()
    this.#release = undefined
    this.#resolveReady()
    // `open` refusing an empty stream is how a reconnect learns that nothing is left: not an error.
    const benign = error?.code === 'Closed' && !this.hasLive()
    this.#host.shardClosed(this, benign ? undefined : error)
  }

  /**
   * After `ready`: one REST lookup per live signature. The lookups outlive the connection that asked for
   * them (only the shard's end drops them): a stream that keeps ending right after `ready` must not
   * cancel every snapshot, or the gap would never close. A signature already being looked up is not
   * asked for twice. Once the shard has ended, queued lookups are not made and answers are dropped.
   */
  async #snapshot(): Promise<void> {
    const over = () => this.#closedFlag || this.#lookupsCancelled
    this.#snapshotting ??= new Set()
    this.#queuedSnapshots ??= new Set()
    const snapshotting = this.#snapshotting
    const queued = this.#queuedSnapshots
    const signatures = this.live().filter((signature) => !snapshotting.has(signature))
    const failures: ChainstreamError[] = []
    for (const signature of signatures) snapshotting.add(signature)
    const batch = this.#host.lookupEach(signatures, () => this.#lookupSignal(), {
      wanted: (signature) => {
        const wanted = !over() && this.#host.needsSnapshot(signature, this)
        if (!wanted) snapshotting.delete(signature)
        return wanted
      },
      found: (signature, body) => {
        snapshotting.delete(signature)
        if (!over()) this.#host.ingest({ kind: 'lookup', signature, body, source: 'snapshot' }, this)
      },
      failed: (signature, error) => {
        snapshotting.delete(signature)
        if (!over()) failures.push(toChainstreamError(error))
      },
    })
    queued.add(batch.cancel)
    this.#snapshots++
    try {
      await batch.done
    } finally {
      queued.delete(batch.cancel)
      this.#snapshots--
      // Nothing under way: the sets and the lookups' controller go (a thousand shards each kept them,
      // about a kilobyte apiece); the next snapshot makes new ones.
      if (this.#snapshots === 0) {
        this.#snapshotting = undefined
        this.#queuedSnapshots = undefined
        if (!this.#lookupsCancelled) this.#lookupController = undefined
        if (this.#closedFlag) this.#host.settled(this)
      }
    }
    const first = failures[0]
    if (first) {
      throw first.with({
        message: `The snapshot of ${failures.length} of ${signatures.length} signatures failed (the stream goes on): ${first.message}`,
      })
    }
  }

  #startPolling(): void {
    if (this.#polling || this.isClosed) return
    const controller = new AbortController()
    this.#polling = controller
    this.#resolveReady()
    this.#host.config.logger.info('Venum tier streaming unavailable (503): polling GET /v1/tx', {
      signatures: this.live().length,
    })
    void this.#poll(controller.signal)
  }

  #stopPolling(): void {
    this.#polling?.abort(SHARD_STOPPED)
    this.#polling = undefined
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      for (const signature of this.live()) {
        try {
          await this.#host.gate.wait(signal)
          const body = await this.#host.lookup(signature, signal, () => !signal.aborted)
          if (!body || signal.aborted) return
          this.#host.ingest({ kind: 'lookup', signature, body, source: 'poll' }, this)
        } catch (error) {
          if (signal.aborted) return
          this.#host.reportError(toChainstreamError(error), this)
        }
      }
      if (!this.hasLive()) return
      try {
        await sleep(this.#host.config.pollIntervalMs, signal)
      } catch {
        return
      }
    }
  }
}
