import { ChainstreamError, type Diagnostic } from '@chainstream/core'
import { toChainstreamError } from '@chainstream/core/provider'
import { childSignal } from './child-signal.js'
import type { RequestLimiter } from './request-limiter.js'
import { type LookupHooks, Shard, type ShardHost, SIGNATURES_PER_STREAM } from './shard.js'
import { type PoolConsumer, SignatureRoute } from './signature-route.js'
import type { RateGate, StreamSlots } from './stream-slots.js'
import { fetchTxStatus, type VenumTxStatus } from './tx-status.js'
import type { VenumFrame } from './venum-frame.js'
import type { VenumConfig } from './venum-options.js'
import { isVenumEvent, strongestEvent, VENUM_EVENTS, type VenumEvent } from './venum-statuses.js'

// One shared abort reason: `abort()` without one makes a DOMException (with a stack) every time.
const POOL_DISPOSED = new ChainstreamError('Closed', 'the streams of this watch were closed', {
  isRetryable: false,
})

/** What every pool of one client shares. */
export interface PoolResources {
  readonly config: VenumConfig
  /** The client-wide budget of open streams (`maxStreams`). */
  readonly slots: StreamSlots
  readonly limiter: RequestLimiter
  readonly gate: RateGate
}

/**
 * A consumer's hold on a pool: the client's shared pool (released with nothing to do), or a pool of its
 * own (`shared: false`) that it disposes of when it ends.
 */
export interface PoolLease {
  readonly pool: ShardPool
  release(): void
}

/** `timeout`, `verify-timeout` and a per-signature `error` end Venum's watcher, not the transaction. */
const endsVenumWatcher = (frame: VenumFrame): boolean =>
  frame.kind === 'signature-error' ||
  (frame.kind === 'tx' && (frame.status === 'timeout' || frame.status === 'verify-timeout'))

/** A transaction status (a tier or `failed`), as opposed to an end of Venum's watcher or an unknown word. */
const reportsStatus = (status: string): boolean => status === 'failed' || isVenumEvent(status)

/** Whether Venum stops watching the signature on this stream after `frame` (it closes a stream once all are). */
const lastOnStream = (frame: VenumFrame, strongest: VenumEvent): boolean =>
  endsVenumWatcher(frame) ||
  (frame.kind === 'tx' && (frame.status === 'failed' || frame.status === strongest))

/**
 * The streams of a client, shared by every consumer (watches, waits, the tracker's lifecycle watch): it
 * owns the shards of at most 10 signatures, their stream slots, REST snapshots and lookups, the polling
 * fallback and re-sharding, and routes every frame of a signature to every consumer that watches it.
 *
 * A signature rides at most one stream of the pool. It stays there while any consumer still needs it and
 * leaves when the last one is done or removes it; a stream left with nothing is closed. Signatures that
 * join in one burst (a loop of `waitFor`s, a watch and a tracker started together) are placed together:
 * first into streams that have room (a new stream with both is subscribed before the old one closes),
 * then into new streams, the rest queued for a slot. Each consumer keeps its own lifecycle per signature,
 * so consumers that want different tiers share a stream and each ends its own story at its own target —
 * which is why the shared pool asks Venum for every tier.
 */
export class ShardPool implements ShardHost {
  readonly config: VenumConfig
  readonly gate: RateGate
  readonly #routes = new Map<string, SignatureRoute>()
  readonly #shards = new Set<Shard>()
  /** Signatures joined since the last placement that need a place on a stream. */
  #unplaced: string[] = []
  /** Routes with a member that has not been caught up with their history yet. */
  readonly #behind = new Set<SignatureRoute>()
  #placing: Promise<void> | undefined
  /** Signatures waiting for a stream slot, in order (consumed from `pendingHead`). */
  #pending: string[] = []
  #pendingHead = 0
  #slotWaiting = false
  readonly #lifetime = new AbortController()
  #disposed = false
  /** Ended shards whose snapshot lookups are still answering: cancelled once nothing is watched. */
  readonly #orphans = new Set<Shard>()
  /** The strongest tier this pool's streams ask for: Venum's last status of a signature on them. */
  readonly #strongest: VenumEvent
  readonly #resources: PoolResources

  /**
   * @param events What every stream of this pool asks Venum for: every tier for the shared pool, a
   *   watch's own `events` for a watch's own pool.
   */
  constructor(
    resources: PoolResources,
    readonly events: readonly VenumEvent[],
  ) {
    this.#resources = resources
    this.config = resources.config
    this.gate = resources.gate
    this.#strongest = strongestEvent(events)
  }

  /**
   * Adds `consumer` to these signatures. A signature already on a stream stays there, and the consumer
   * is first caught up with what that stream said so far; the others get a place in one batch, once the
   * current burst of joins is in. Resolves once the streams carrying them are subscribed (or polling);
   * signatures queued behind `maxStreams` are not waited for.
   */
  async join(consumer: PoolConsumer, signatures: readonly string[]): Promise<void> {
    if (signatures.length === 0) return
    const joined: SignatureRoute[] = []
    for (const signature of signatures) {
      let route = this.#routes.get(signature)
      if (!route) {
        route = new SignatureRoute(signature)
        this.#routes.set(signature, route)
      }
      const membership = route.join(consumer)
      if (!membership.replayed) this.#behind.add(route)
      if (route.shard && !route.finishing) consumer.rides(route.shard)
      else if (!route.finishing) this.#unplaced.push(signature)
      joined.push(route)
    }
    await this.#placeSoon()
    // One wait per stream, not per signature: a stream carries up to 10 of them, and a watch of thousands
    // of signatures would otherwise hand Promise.all thousands of the same few promises.
    const ready = new Set<Promise<void>>()
    for (const route of joined) if (route.shard) ready.add(route.shard.ready)
    await Promise.all(ready)
  }

  /**
   * Takes `consumer` off these signatures. A signature nobody watches any more leaves its stream, and a
   * stream left with nothing is closed; resolves once those streams are closed.
   */
  async leave(consumer: PoolConsumer, signatures: readonly string[]): Promise<void> {
    const touched = new Set<Shard>()
    for (const signature of signatures) {
      const shard = this.#detach(consumer, signature)
      if (shard) touched.add(shard)
    }
    await Promise.all([...touched].map((shard) => shard.closeIfEmpty()))
  }

  /**
   * {@link leave} for one signature, with nothing to wait for: what a consumer does once per signature
   * it is done with, so without the batch's set, arrays and promises.
   */
  leaveOne(consumer: PoolConsumer, signature: string): void {
    void this.#detach(consumer, signature)?.closeIfEmpty()
  }

  /** Ends a pool of its own: no slot waited for any more, every stream closed. */
  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#lifetime.abort(POOL_DISPOSED)
    for (const shard of this.#shards) void shard.close()
    this.#cancelOrphans()
  }

  // ---------------------------------------------------------------------------------------------------
  // ShardHost

  isLiveOn(signature: string, shard: Shard): boolean {
    const route = this.#routes.get(signature)
    return route?.live === true && carries(shard, route)
  }

  needsSnapshot(signature: string, shard: Shard): boolean {
    const route = this.#routes.get(signature)
    return route?.live === true && carries(shard, route) && route.heardOn !== shard.connection
  }

  lookup(signature: string, signal: AbortSignal): Promise<VenumTxStatus>
  lookup(signature: string, signal: AbortSignal, wanted: () => boolean): Promise<VenumTxStatus | undefined>
  async lookup(
    signature: string,
    signal: AbortSignal,
    wanted?: () => boolean,
  ): Promise<VenumTxStatus | undefined> {
    const work = async () => {
      for (const consumer of this.#routes.get(signature)?.members.keys() ?? []) consumer.lookedUp()
      const child = childSignal(signal)
      try {
        return await fetchTxStatus(this.config, signature, child.signal)
      } finally {
        child.dispose()
      }
    }
    const { limiter } = this.#resources
    return wanted ? limiter.runIfWanted(work, wanted, signal) : limiter.run(work)
  }

  lookupEach(
    signatures: readonly string[],
    signal: () => AbortSignal,
    hooks: LookupHooks,
  ): { done: Promise<void>; cancel: () => void } {
    const one = async (signature: string) => {
      for (const consumer of this.#routes.get(signature)?.members.keys() ?? []) consumer.lookedUp()
      const child = childSignal(signal())
      try {
        hooks.found(signature, await fetchTxStatus(this.config, signature, child.signal))
      } catch (error) {
        hooks.failed(signature, error)
      } finally {
        child.dispose()
      }
    }
    return this.#resources.limiter.each(signatures, one, hooks.wanted)
  }

  ingest(frame: VenumFrame, shard: Shard): void {
    if (lastOnStream(frame, this.#strongest)) shard.venumEndedWatcher(frame.signature)
    const route = this.#routes.get(frame.signature)
    if (!route) {
      // A signature every consumer left may still be on the stream's request; anything else is Venum's.
      if (!shard.signatures.includes(frame.signature)) {
        this.diagnostic(
          {
            code: 'unexpected-signature',
            message: `Venum sent an update for ${frame.signature}, which this stream does not watch; ignored`,
          },
          shard,
        )
      }
      return
    }
    if (!endsVenumWatcher(frame)) {
      if (frame.kind === 'tx' && reportsStatus(frame.status)) route.heardOn = shard.connection
      route.route(frame)
    }
    // Only the stream that carries the signature speaks for its watcher (not one it left long ago).
    else if (carries(shard, route)) this.#finishSoftly(route, frame)
    // Nearly every frame leaves its signature live on this stream, which then has something live and
    // stays open: no closing check (and no promise) per frame for that.
    if (route.live && route.shard === shard) return
    void shard.closeIfEmpty()
    if (route.shard !== shard) void route.shard?.closeIfEmpty()
  }

  reportError(error: ChainstreamError, shard: Shard): void {
    const consumers = this.#consumersOf(shard)
    if (consumers.size === 0) {
      this.config.logger.debug('a Venum stream reported an error nobody watches', { code: error.code })
    }
    for (const consumer of consumers) consumer.streamError(error)
  }

  diagnostic(diagnostic: Diagnostic, shard: Shard): void {
    for (const consumer of this.#consumersOf(shard)) consumer.diagnostic(diagnostic)
  }

  orphaned(shard: Shard): void {
    if (this.#disposed || this.#routes.size === 0) shard.cancelLookups()
    else this.#orphans.add(shard)
  }

  settled(shard: Shard): void {
    this.#orphans.delete(shard)
  }

  shardClosed(shard: Shard, error: ChainstreamError | undefined): void {
    this.#shards.delete(shard)
    if (this.#disposed) return
    const stranded = (): SignatureRoute[] =>
      shard.signatures
        .map((signature) => this.#routes.get(signature))
        .filter((route): route is SignatureRoute => route?.shard === shard && route.live)
    if (error) {
      const reached = new Set<PoolConsumer>()
      for (const route of stranded()) for (const consumer of route.members.keys()) reached.add(consumer)
      // Fatal for every consumer that still needed this stream (each ends, as a watch of its own would);
      // a mere report for the others.
      if (reached.size > 0) for (const consumer of reached) consumer.streamFailed(error)
      else this.reportError(error, shard)
    }
    // A stream that ended while some of its signatures still need one (never by Venum's own completion,
    // which waits for all of them): they queue for a new stream.
    for (const route of stranded()) {
      route.shard = undefined
      this.#pending.push(route.signature)
    }
    this.#pump()
  }

  // ---------------------------------------------------------------------------------------------------

  /** Takes `consumer` off a signature; answers the stream that carried it, when it was on one. */
  #detach(consumer: PoolConsumer, signature: string): Shard | undefined {
    const route = this.#routes.get(signature)
    if (!route?.leave(consumer)) return undefined
    if (route.members.size === 0) {
      this.#routes.delete(signature)
      // Nothing watched any more: lookups left to answer for ended streams are not needed by anyone.
      if (this.#routes.size === 0) this.#cancelOrphans()
    }
    return route.shard
  }

  #cancelOrphans(): void {
    for (const shard of this.#orphans) shard.cancelLookups()
    this.#orphans.clear()
  }

  /** The consumers of the signatures this shard carries. */
  #consumersOf(shard: Shard): Set<PoolConsumer> {
    const consumers = new Set<PoolConsumer>()
    for (const signature of shard.signatures) {
      const route = this.#routes.get(signature)
      if (route && carries(shard, route)) for (const consumer of route.members.keys()) consumers.add(consumer)
    }
    return consumers
  }

  /** Places the current burst of joins in a microtask, once for all of them. */
  #placeSoon(): Promise<void> {
    this.#placing ??= Promise.resolve().then(() => {
      this.#placing = undefined
      this.#place()
    })
    return this.#placing
  }

  #place(): void {
    // Late joiners first learn what their signature's stream said before they came.
    for (const route of this.#behind) route.catchUpAll()
    this.#behind.clear()
    const fresh = [...new Set(this.#unplaced)].filter((signature) => this.#needsPlace(signature))
    this.#unplaced = []
    if (this.#disposed) return
    // Fill streams that have room by replacing them (make before break), then open new ones.
    for (const shard of [...this.#shards]) {
      if (fresh.length === 0) break
      if (!shard.isStreaming) continue
      const room = SIGNATURES_PER_STREAM - shard.live().length
      if (room > 0) void this.#replace(shard, fresh.splice(0, room))
    }
    this.#pending.push(...fresh)
    this.#pump()
  }

  #needsPlace(signature: string): boolean {
    const route = this.#routes.get(signature)
    return route?.live === true && route.shard === undefined
  }

  /** Starts streams for queued signatures while slots are free; waits (once) for the next slot. */
  #pump(): void {
    while (!this.#disposed && !this.#slotWaiting && this.#hasPending()) {
      const release = this.#resources.slots.tryAcquire()
      if (release) {
        this.#startShard(this.#takePending(), release)
        continue
      }
      this.#slotWaiting = true
      this.#resources.slots.acquire(this.#lifetime.signal).then(
        (granted) => {
          this.#slotWaiting = false
          const signatures = this.#disposed ? [] : this.#takePending()
          if (signatures.length === 0) granted()
          else this.#startShard(signatures, granted)
          this.#pump()
        },
        () => {
          this.#slotWaiting = false
        },
      )
    }
  }

  #hasPending(): boolean {
    while (this.#pendingHead < this.#pending.length) {
      if (this.#needsPlace(this.#pending[this.#pendingHead] as string)) return true
      this.#pendingHead++
    }
    this.#pending = []
    this.#pendingHead = 0
    return false
  }

  #takePending(): string[] {
    const out = new Set<string>()
    while (out.size < SIGNATURES_PER_STREAM && this.#hasPending()) {
      // A signature can be queued twice (stranded, then joined again); it takes one place.
      out.add(this.#pending[this.#pendingHead++] as string)
    }
    return [...out]
  }

  #startShard(signatures: readonly string[], release: () => void): void {
    const shard = new Shard(this, signatures, release)
    this.#assign(shard, signatures)
    shard.start()
  }

  /**
   * Moves `extra` signatures onto `old`'s stream by opening a new stream with both before closing the
   * old one, so nothing is missed in between (duplicates from the overlap are idempotent). Should Venum
   * refuse the extra connection (429), the old stream is closed at once to make room: the new stream's
   * snapshot then covers the gap.
   */
  async #replace(old: Shard, extra: readonly string[]): Promise<void> {
    const signatures = [...old.live(), ...extra]
    const next = new Shard(this, signatures, old.handOverSlot())
    old.replacedBy = next
    this.#assign(next, signatures)
    const stop = next.onConnectionLimit(() => void old.close())
    next.start()
    await next.ready
    stop()
    await old.close()
  }

  #assign(shard: Shard, signatures: readonly string[]): void {
    this.#shards.add(shard)
    for (const signature of signatures) {
      const route = this.#routes.get(signature)
      if (!route) continue
      route.shard = shard
      for (const consumer of route.members.keys()) consumer.rides(shard)
    }
  }

  /**
   * Venum ended its watcher of a signature on this stream (`timeout`, `verify-timeout`, `error`): one last
   * lookup may still show the tier (or the failure), and only then is the end handed on — to the
   * consumers that were watching when it came, each ending its own story. A consumer that joined during
   * the lookup gets a new place on a stream instead, where Venum watches afresh.
   */
  #finishSoftly(route: SignatureRoute, frame: VenumFrame): void {
    if (route.finishing) return
    route.finishing = true
    const audience = route.audience()
    const stillWanted = () => audience.some(([consumer, m]) => route.members.get(consumer) === m)
    const ended = route.shard
    void (async () => {
      try {
        const body = await this.lookup(route.signature, this.#lifetime.signal, stillWanted)
        if (body) route.route({ kind: 'lookup', signature: route.signature, body, source: 'snapshot' })
      } catch (error) {
        if (!this.#lifetime.signal.aborted) {
          const failure = toChainstreamError(error)
          for (const [consumer, m] of audience)
            if (route.members.get(consumer) === m) consumer.streamError(failure)
        }
      }
      route.deliver(frame, audience)
      // Venum's watcher of it on that stream is over: whoever still needs it needs a new place.
      if (route.shard === ended) route.shard = undefined
      route.finishing = false
      if (this.#routes.get(route.signature) === route && route.live) {
        this.#unplaced.push(route.signature)
        void this.#placeSoon()
      }
      void ended?.closeIfEmpty()
    })()
  }
}

/** Whether `shard` carries the route's signature now (itself, or through the shard that replaced it). */
function carries(shard: Shard, route: SignatureRoute): boolean {
  for (let s: Shard | undefined = shard; s !== undefined; s = s.replacedBy) if (s === route.shard) return true
  return false
}

/**
 * How the consumers of one client get their streams: all from one shared pool that asks Venum for every
 * tier (`shared: true`), or each from a pool of its own that asks for exactly its `events` and is disposed
 * of when the consumer ends (`shared: false`).
 */
export function clientStreams(resources: PoolResources): (events: readonly VenumEvent[]) => PoolLease {
  if (!resources.config.shared) {
    return (events) => {
      const pool = new ShardPool(resources, events)
      return { pool, release: () => pool.dispose() }
    }
  }
  const shared: PoolLease = { pool: new ShardPool(resources, VENUM_EVENTS), release: () => {} }
  return () => shared
}
