import {
  type ChainStream,
  ChainstreamError,
  type ConnectionState,
  type Diagnostic,
  type ReconnectInfo,
  type StreamCounters,
} from '@chainstream/core'
import type { TonSubscription } from '../protocol/subscription.js'
import { type Settlement, settlement } from '../settlement.js'
import type { TonEvent } from '../ton-event.js'
import { sameSubscription, unionOf } from './subscription-union.js'

/** What a hub tells each of its consumers. */
export interface HubMember {
  /** The consumer's subscription now (what the union is made of). */
  readonly subscription: TonSubscription
  /**
   * The server has a union that contains this member's latest subscription: called synchronously when
   * the acknowledgement is decoded, before any event behind it is handed out.
   */
  applied(): void
  /** An event of the shared stream (the consumer trims it to its own view). */
  deliver(event: TonEvent): void
  /** The shared connection's state changed. */
  stateChanged(state: ConnectionState, previous: ConnectionState): void
  /** A non-fatal error of the shared stream. */
  reportError(error: ChainstreamError): void
  /** A diagnostic of the shared stream. */
  reportDiagnostic(diagnostic: Diagnostic): void
  /** The shared stream is about to reconnect. */
  reconnecting(info: ReconnectInfo): void
  /** The shared stream ended (with its fatal error, if any): the consumer ends too. */
  ended(error: ChainstreamError | undefined): void
}

/** Opens the shared upstream stream with a first subscription (not started). */
export type OpenUpstream = (subscription: TonSubscription) => ChainStream<TonEvent, TonSubscription>

/**
 * One upstream connection shared by many consumers of one client (streams, the tracker's lifecycle
 * source, Node-RED nodes). It subscribes to the union of what its members ask, changes it as they come,
 * change and go — batched per turn of the event loop, so changes made together are one `subscribe` on a
 * WebSocket and one re-open on SSE — and hands every event to every member, which keeps its own part.
 * When the last member leaves, the connection is closed; the next member opens a new one.
 *
 * Every union asked for gets a sequence number; the engine's synchronous `applied` event says which one
 * the server has, and every member waiting for that one or an earlier one is told at once — so a member
 * is `subscribed` before the first event behind its acknowledgement reaches it.
 */
export class TonHub {
  #upstream: ChainStream<TonEvent, TonSubscription> | undefined
  readonly #members = new Set<HubMember>()
  /** The union the upstream was last asked for, and the one the server last acknowledged. */
  #requested: TonSubscription | undefined
  #seq = 0
  #appliedSeq = 0
  readonly #seqOf = new WeakMap<TonSubscription, number>()
  /** Members whose latest change waits for the union with this sequence number. */
  readonly #waiting = new Map<HubMember, number>()
  /** Members changed since the last flush. */
  readonly #dirty = new Set<HubMember>()
  #flushScheduled = false
  /** Settled with the next flush's union: what the changes made in this turn wait for. */
  #batch: Settlement | undefined
  readonly #batches: { seq: number; deferred: Settlement }[] = []
  readonly #detach: (() => void)[] = []
  #lastCounters: StreamCounters | undefined

  readonly #open: OpenUpstream
  readonly #onIdle: (hub: TonHub) => void

  constructor(open: OpenUpstream, onIdle: (hub: TonHub) => void) {
    this.#open = open
    this.#onIdle = onIdle
  }

  /** The upstream's state (`idle` before the first member's batch opened it). */
  get state(): ConnectionState {
    return this.#upstream?.state ?? 'idle'
  }

  /** The upstream's counters (its last ones once it closed; undefined before the first existed). */
  get counters(): StreamCounters | undefined {
    return this.#upstream?.counters ?? this.#lastCounters
  }

  /** Adds a member; resolves once the server has a union with its subscription in it. */
  join(member: HubMember): Promise<void> {
    this.#members.add(member)
    return this.changed(member)
  }

  /**
   * Removes a member; the union shrinks with the next batch. Resolves once the connection is closed when
   * this was the last member (at once otherwise: nobody waits for a union to shrink).
   */
  leave(member: HubMember): Promise<void> {
    if (!this.#members.delete(member)) return Promise.resolve()
    this.#waiting.delete(member)
    this.#dirty.delete(member)
    if (this.#members.size === 0) return this.#shutDown()
    void this.#schedule().promise
    return Promise.resolve()
  }

  /**
   * `member`'s subscription changed: resolves once the server has a union that contains it; rejects with
   * the server's refusal (the member's previous subscription stays) or the upstream's end.
   */
  changed(member: HubMember): Promise<void> {
    this.#dirty.add(member)
    return this.#schedule().promise
  }

  #schedule(): Settlement {
    this.#batch ??= settlement()
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      later(() => this.#flush())
    }
    return this.#batch
  }

  #flush(): void {
    this.#flushScheduled = false
    const batch = this.#batch
    this.#batch = undefined
    const dirty = [...this.#dirty]
    this.#dirty.clear()
    if (!batch) return
    if (this.#members.size === 0) {
      batch.resolve()
      return
    }
    const union = unionOf([...this.#members].map((member) => member.subscription))
    let seq: number
    if (!this.#upstream) {
      seq = this.#ask(union)
      this.#start(union)
    } else if (!this.#requested || !sameSubscription(union, this.#requested)) {
      seq = this.#ask(union)
      const upstream = this.#upstream
      upstream.update(() => union).catch((error: unknown) => this.#refused(seq, error))
    } else {
      seq = this.#seqOf.get(this.#requested) ?? this.#seq
    }
    for (const member of dirty) if (this.#members.has(member)) this.#waiting.set(member, seq)
    this.#batches.push({ seq, deferred: batch })
    this.#settle()
  }

  #ask(union: TonSubscription): number {
    const seq = ++this.#seq
    this.#seqOf.set(union, seq)
    this.#requested = union
    return seq
  }

  /** The server has the union with sequence number `seq` (or later): tell whoever waited for it. */
  #settle(): void {
    for (const [member, seq] of this.#waiting) {
      if (seq > this.#appliedSeq) continue
      this.#waiting.delete(member)
      member.applied()
    }
    for (let i = 0; i < this.#batches.length; ) {
      const entry = this.#batches[i] as { seq: number; deferred: Settlement }
      if (entry.seq <= this.#appliedSeq) {
        this.#batches.splice(i, 1)
        entry.deferred.resolve()
      } else {
        i++
      }
    }
  }

  /** The server refused the union `seq`: its waiters learn why and keep what they had. */
  #refused(seq: number, error: unknown): void {
    for (const [member, waitedFor] of this.#waiting) if (waitedFor === seq) this.#waiting.delete(member)
    for (let i = 0; i < this.#batches.length; ) {
      const entry = this.#batches[i] as { seq: number; deferred: Settlement }
      if (entry.seq === seq) {
        this.#batches.splice(i, 1)
        entry.deferred.reject(error)
      } else {
        i++
      }
    }
    // The engine went back to what the server has.
    if (this.#upstream) this.#requested = this.#upstream.subscription
  }

  #start(union: TonSubscription): void {
    const upstream = this.#open(union)
    this.#upstream = upstream
    this.#detach.push(
      upstream.on('applied', (subscription) => {
        const seq = this.#seqOf.get(subscription)
        if (seq !== undefined && seq > this.#appliedSeq) this.#appliedSeq = seq
        this.#settle()
      }),
      upstream.on('event', (event) => {
        for (const member of this.#members) member.deliver(event)
      }),
      upstream.on('state', (state, previous) => {
        for (const member of this.#members) member.stateChanged(state, previous)
      }),
      upstream.on('error', (error) => {
        for (const member of this.#members) member.reportError(error)
      }),
      upstream.on('diagnostic', (diagnostic) => {
        for (const member of this.#members) member.reportDiagnostic(diagnostic)
      }),
      upstream.on('reconnect', (info) => {
        for (const member of this.#members) member.reconnecting(info)
      }),
      upstream.on('close', (error) => this.#upstreamClosed(upstream, error)),
    )
    upstream.start()
  }

  #upstreamClosed(
    upstream: ChainStream<TonEvent, TonSubscription>,
    error: ChainstreamError | undefined,
  ): void {
    if (this.#upstream !== upstream) return
    const members = [...this.#members]
    this.#reset(error)
    for (const member of members) member.ended(error)
    this.#onIdle(this)
  }

  async #shutDown(): Promise<void> {
    const upstream = this.#upstream
    this.#reset(undefined)
    this.#onIdle(this)
    await upstream?.close()
  }

  #reset(error: ChainstreamError | undefined): void {
    // Streams that read their counters after the end still see what the connection did.
    if (this.#upstream) this.#lastCounters = this.#upstream.counters
    for (const off of this.#detach.splice(0)) off()
    this.#upstream = undefined
    this.#requested = undefined
    this.#members.clear()
    this.#waiting.clear()
    this.#dirty.clear()
    const reason = error ?? new ChainstreamError('Closed', 'The shared stream closed', { isRetryable: false })
    for (const entry of this.#batches.splice(0)) entry.deferred.reject(reason)
    this.#batch?.reject(reason)
    this.#batch = undefined
  }

  /**
   * Closes the connection because the client is being closed: members end with a `Closed` error (they
   * did not close themselves), so that whoever relies on them — a tracker's watch — ends its work too.
   */
  async close(): Promise<void> {
    const upstream = this.#upstream
    const members = [...this.#members]
    const reason = new ChainstreamError('Closed', 'The client was closed', { isRetryable: false })
    this.#reset(reason)
    for (const member of members) member.ended(reason)
    this.#onIdle(this)
    await upstream?.close()
  }
}

/** After the current turn of the event loop: changes made together (a loop of `stream()` calls) batch. */
const later: (work: () => void) => void =
  typeof setImmediate === 'function' ? (work) => setImmediate(work) : (work) => setTimeout(work, 0)
