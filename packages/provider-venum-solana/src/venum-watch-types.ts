import type { ChainstreamError, Diagnostic, LifecycleState } from '@chainstream/core'
import type { VenumEvent } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'

/** Options of `venum.watch()`. */
export interface VenumWatchOptions {
  /**
   * Transaction signatures (base58). Any number: they are sharded into streams of at most 10, shared
   * with the client's other watches, waits and tracker (see the client option `shared`).
   */
  signatures: readonly string[]
  /**
   * The tiers to report. The strongest one is the target: a signature's watch ends when it reaches it
   * (or fails, or times out). `['landed']` alone ends each signature at its landing. On the client's
   * shared streams (the default), which ask Venum for every tier so that consumers with other targets
   * can ride them too, a landing that never comes ends with Venum's `verify-timeout`; on a watch's own
   * streams (`shared: false`) Venum runs its landed-only mode and says `timeout`. Both mean the outcome
   * is unknown.
   * @default ['landed', 'processed', 'confirmed', 'finalized']
   */
  events?: readonly VenumEvent[]
  /** Aborting closes the watch; iterators then throw an `Aborted` error. */
  signal?: AbortSignal
}

/** Listener signatures of a {@link VenumWatch}. */
export interface VenumWatchEvents {
  /** A watched signature changed. */
  update: (update: VenumUpdate) => void
  /**
   * Non-fatal problems: a dropped stream about to reconnect, a 429 or 503 from Venum, a failed snapshot.
   * The watch carries on. Fatal errors arrive through `close`.
   */
  error: (error: ChainstreamError) => void
  /** Anomalies that are not errors (a tier going backwards, an unknown status, an unknown event). */
  diagnostic: (diagnostic: Diagnostic) => void
  /** The watch ended: every signature is done, or it was closed; `error` when a fatal error ended it. */
  close: (error: ChainstreamError | undefined) => void
}

/** Counters of a watch (a fresh snapshot each read). */
export interface VenumWatchCounters {
  /** Updates emitted. */
  updates: number
  /**
   * Streams that carried its signatures: each counts once (a re-shard's new stream counts, reconnects do
   * not), and a stream shared with other consumers of the client counts for each of them.
   */
  streams: number
  /**
   * REST lookups of its signatures (snapshots, polls and final checks); one made for a signature other
   * consumers watch too counts for each of them.
   */
  lookups: number
  /** Non-fatal errors reported. */
  errors: number
}

/**
 * A live watch of transaction signatures: updates as callbacks and as an `AsyncIterable`. It ends by
 * itself once every signature is done.
 */
export interface VenumWatch extends AsyncIterable<VenumUpdate> {
  /**
   * Resolves once every signature that got a stream is subscribed (or being polled while Venum answers
   * 503) — open the watch, await this, then send the transaction to catch its earliest `landed`. A
   * signature that already rides a stream of the client (another consumer watches it) is ready at once.
   * Signatures queued behind `maxStreams` are not waited for. Rejects with the fatal error, if one ends
   * the watch first.
   */
  readonly ready: Promise<void>
  /** Resolves when the watch has ended (with the fatal error, if any); never rejects. */
  readonly closed: Promise<ChainstreamError | undefined>
  /** The requested tiers. */
  readonly events: readonly VenumEvent[]
  /** Signatures still being watched. */
  readonly watching: readonly string[]
  readonly counters: VenumWatchCounters
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): () => void
  /** Removes a listener. */
  off<K extends keyof VenumWatchEvents>(event: K, listener: VenumWatchEvents[K]): void
  /**
   * Watches more signatures (validated first; already watched ones are ignored). One that another
   * consumer of the client already watches joins its stream, starting from what that stream said so far;
   * the others join streams that have room — a new stream is subscribed before the old one closes, so
   * the signatures already there lose no update — or new streams. Resolves once they are subscribed (or
   * queued behind `maxStreams`).
   */
  add(signatures: readonly string[]): Promise<void>
  /**
   * Stops watching these signatures: no more updates for them. A signature no other consumer watches
   * leaves its stream, and a stream left with nothing is closed.
   */
  remove(signatures: readonly string[]): Promise<void>
  /** The neutral lifecycle state of a signature (tier, outcome, terminal, watch status), for trackers. */
  lifecycle(signature: string): LifecycleState | undefined
  /**
   * Ends the watch and its iterators, and takes its signatures off the client's streams: a stream left
   * with nothing is closed (resolves once it is), a signature another consumer still watches stays where
   * it is. Idempotent.
   */
  close(): Promise<void>
}
