import { finalityRank } from '../protocol/event-types.js'

/** The rank of `finalized` (ranks: 1 pending, 2 confirmed, 3 finalized; 0 for nothing seen). */
export const FINALIZED = finalityRank('finalized')

/**
 * What one lifecycle watch knows about the traces it tracks: which ones, the highest finality reported for
 * each, and which ones the current connection is **guarded** on.
 *
 * Guarded traces are those the current connection was sent live below `finalized`: the server remembers
 * them on that connection and will send their `trace_invalidated` there. Every other held trace (seen at
 * pending/confirmed before a reconnect, or only in an API v3 snapshot) is one the server would not tell
 * this connection about, so the watch looks it up itself ({@link TrackedTraces.unguarded}).
 */
export class TrackedTraces {
  readonly #ids = new Set<string>()
  /** The highest finality rank reported per tracked id. */
  readonly #seen = new Map<string, number>()
  #guarded = new Set<string>()
  /**
   * Ids added or raised since the last {@link TrackedTraces.takeChanged} (an id may repeat), for a
   * reconciliation to tell which traces stalled without a time per trace; `undefined` when nobody takes them.
   */
  #changed: string[] | undefined

  /** `recordChanges`: keep the log {@link TrackedTraces.takeChanged} takes. */
  constructor(recordChanges = false) {
    if (recordChanges) this.#changed = []
  }

  /** How many traces are tracked. */
  get size(): number {
    return this.#ids.size
  }

  /** Whether `id` is tracked. */
  has(id: string): boolean {
    return this.#ids.has(id)
  }

  /** The tracked ids, in the order they were added. */
  list(): string[] {
    return [...this.#ids]
  }

  /** Starts tracking `id`; `false` when it already was. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false
    this.#ids.add(id)
    this.#changed?.push(id)
    return true
  }

  /** Stops tracking `id` and forgets everything about it; `false` when it was not tracked. */
  delete(id: string): boolean {
    if (!this.#ids.delete(id)) return false
    this.#seen.delete(id)
    this.#guarded.delete(id)
    return true
  }

  /** The highest finality rank reported for `id` (0 when nothing was). */
  rank(id: string): number {
    return this.#seen.get(id) ?? 0
  }

  /** Records that `id` was reported at `rank`; a lower rank than already reported changes nothing. */
  raise(id: string, rank: number): void {
    if (rank <= this.rank(id)) return
    this.#seen.set(id, rank)
    this.#changed?.push(id)
  }

  /** The ids added or raised since the last call (and forgets them). */
  takeChanged(): Set<string> {
    const changed = new Set(this.#changed)
    if (this.#changed) this.#changed = []
    return changed
  }

  /** `id` was invalidated: nothing of it is held any more (it stays tracked; it may reappear). */
  forget(id: string): void {
    this.#seen.delete(id)
    this.#guarded.delete(id)
  }

  /** Whether the current connection would be told of an invalidation of `id`. */
  isGuarded(id: string): boolean {
    return this.#guarded.has(id)
  }

  /**
   * The current connection's live stream delivered `id` at `rank`: below finalized the server remembers the
   * trace on this connection. (A look-up by the stream's recovery is no delivery by the server.)
   */
  delivered(id: string, rank: number): void {
    if (rank < FINALIZED) this.#guarded.add(id)
    else this.#guarded.delete(id)
  }

  /** `id` is final: no connection needs to remember it. */
  settled(id: string): void {
    this.#guarded.delete(id)
  }

  /** A connection that is new (or gone) remembers nothing. */
  resetGuards(): void {
    this.#guarded = new Set()
  }

  /** Tracked traces not seen finalized: what a snapshot after a (re)subscribe looks up. */
  notFinal(): string[] {
    return this.list().filter((id) => this.rank(id) < FINALIZED)
  }

  /** Held traces (seen pending/confirmed) the current connection would not be told about if invalidated. */
  unguarded(): string[] {
    const out: string[] = []
    for (const id of this.#ids) {
      const rank = this.rank(id)
      if (rank > 0 && rank < FINALIZED && !this.#guarded.has(id)) out.push(id)
    }
    return out
  }
}
