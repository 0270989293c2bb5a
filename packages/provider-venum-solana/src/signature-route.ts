import type { ChainstreamError, Diagnostic } from '@chainstream/core'
import { RouteMembers } from './route-members.js'
import type { Shard } from './shard.js'
import type { VenumFrame } from './venum-frame.js'

/**
 * What a shard pool needs from a consumer of its streams: a watch, the waits of a client, or the tracker's
 * lifecycle watch. Each consumer keeps its own per-signature state; the pool only delivers.
 */
export interface PoolConsumer {
  /** A frame of a signature this consumer joined: a stream event, a snapshot, a poll or a final lookup. */
  receive(frame: VenumFrame): void
  /** A non-fatal problem of a stream carrying its signatures (a drop being retried, a 429, a failed snapshot). */
  streamError(error: ChainstreamError): void
  /** An anomaly on a stream carrying its signatures. */
  diagnostic(diagnostic: Diagnostic): void
  /** A fatal error (401, 400, …) ended a stream that carried signatures this consumer still needed. */
  streamFailed(error: ChainstreamError): void
  /** A stream now carries one of its signatures (for its counters). */
  rides(shard: Shard): void
  /** A REST lookup of one of its signatures is being made (for its counters). */
  lookedUp(): void
}

/**
 * One consumer's place on a route. A fresh object per join, so that a delivery prepared for an earlier
 * membership (the final lookup after a time-out, say) is not handed to the same consumer once it left
 * and joined again.
 */
export interface Membership {
  /** The consumer has been given what the route saw before it joined. */
  replayed: boolean
}

/** The frames a consumer that joins late is caught up with: facts, never the ends of Venum's watchers. */
const isFact = (frame: VenumFrame): boolean =>
  frame.kind === 'lookup' ||
  (frame.kind === 'tx' && frame.status !== 'timeout' && frame.status !== 'verify-timeout')

/** Whether two facts say the same (the same stream status, or the same lookup answer). */
const sameFact = (a: VenumFrame, b: VenumFrame): boolean => {
  if (a.kind === 'tx' && b.kind === 'tx') return a.status === b.status
  if (a.kind === 'lookup' && b.kind === 'lookup') {
    return (
      a.body.status === b.body.status &&
      (a.body.confirmationStatus ?? '') === (b.body.confirmationStatus ?? '')
    )
  }
  return false
}

/**
 * One signature in a pool: the consumers watching it, the stream carrying it, and what its streams have
 * said so far. The history is what a consumer that joins later is replayed first — `landed` in particular,
 * which no REST lookup can show — so it starts where the others are, without a request. It holds one
 * frame per distinct status, so it stays a handful of frames however long the signature is watched.
 */
export class SignatureRoute extends RouteMembers<PoolConsumer, Membership> {
  /** The stream carrying this signature (or the one about to, while a re-shard makes it). */
  shard: Shard | undefined
  /** Venum ended its watcher here (`timeout`, `verify-timeout`, `error`): the final lookup is under way. */
  finishing = false
  /**
   * The connection (see {@link Shard.connection}) that last reported a status of this signature: a
   * snapshot that connection asked for has nothing to add about it.
   */
  heardOn = 0
  /**
   * What was said so far, one frame per distinct fact; made on the first frame (most routes of a large
   * watch are still waiting for a stream), and a handful long, so searching it needs no index.
   */
  #history: VenumFrame[] | undefined

  constructor(readonly signature: string) {
    super()
  }

  /** The consumers on this route and their memberships: the route itself (see {@link RouteMembers}). */
  get members(): RouteMembers<PoolConsumer, Membership> {
    return this
  }

  /** Some consumer still needs this signature on a live stream. */
  get live(): boolean {
    return this.size > 0 && !this.finishing
  }

  /** Adds a consumer (a consumer already on the route keeps its membership). */
  join(consumer: PoolConsumer): Membership {
    const existing = this.get(consumer)
    if (existing) return existing
    const membership: Membership = { replayed: this.#history === undefined }
    this.set(consumer, membership)
    return membership
  }

  /** Removes a consumer; `false` when it was not on the route. */
  leave(consumer: PoolConsumer): boolean {
    return this.delete(consumer)
  }

  /** The memberships now, for a delivery that must reach exactly these (see {@link deliver}). */
  audience(): [PoolConsumer, Membership][] {
    return this.entries()
  }

  /** Remembers a frame for later joiners and hands it to every member. */
  route(frame: VenumFrame): void {
    const remembered = this.#remember(frame)
    // Nearly every route has one member: handed over without a snapshot of the members (two arrays per
    // frame otherwise).
    if (this.many === undefined) {
      if (this.soleKey !== undefined)
        this.#deliverTo(this.soleKey, this.soleValue as Membership, frame, remembered)
    } else {
      this.deliver(frame, this.audience(), remembered)
    }
    if (remembered && frame.kind === 'tx') {
      // Kept lean once delivered: the event's parsed JSON (only diagnostics of a live frame show it) and
      // its own copy of the signature would otherwise live as long as the route, past the young
      // generation of a busy watch — promoted, to be collected by a full collection later.
      const kept = frame as { signature: string; data: unknown }
      kept.signature = this.signature
      kept.data = undefined
    }
  }

  /**
   * Hands `frame` to those of `audience` that are still the same members. A member that has not been
   * caught up yet is replayed the history first (it ends with `frame` when `frame` was just remembered).
   */
  deliver(frame: VenumFrame, audience: readonly [PoolConsumer, Membership][], remembered = false): void {
    for (const [consumer, membership] of audience) this.#deliverTo(consumer, membership, frame, remembered)
  }

  #deliverTo(consumer: PoolConsumer, membership: Membership, frame: VenumFrame, remembered: boolean): void {
    if (this.get(consumer) !== membership) return
    if (!membership.replayed) {
      this.#catchUp(consumer, membership)
      if (remembered) return
    }
    consumer.receive(frame)
  }

  /** Catches every member up that has not been yet: what the route saw before they joined, in order. */
  catchUpAll(): void {
    for (const [consumer, membership] of this.audience()) {
      if (!membership.replayed) this.#catchUp(consumer, membership)
    }
  }

  #catchUp(consumer: PoolConsumer, membership: Membership): void {
    membership.replayed = true
    for (const frame of [...(this.#history ?? [])]) {
      if (this.get(consumer) !== membership) return
      consumer.receive(frame)
    }
  }

  #remember(frame: VenumFrame): boolean {
    if (!isFact(frame)) return false
    // A loop, not `some()` with a closure: this runs for every frame.
    const history = this.#history
    if (history) for (const seen of history) if (sameFact(seen, frame)) return false
    // A new array of the exact size: a pushed-to array reserves room for 17, and there are a handful.
    this.#history = history ? [...history, frame] : [frame]
    return true
  }
}
