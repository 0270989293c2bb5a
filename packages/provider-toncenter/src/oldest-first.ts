/** A Map or a Set: keys in insertion order. */
interface KeyedCollection<K> {
  readonly size: number
  keys(): IterableIterator<K>
  delete(key: K): boolean
}

/**
 * Evicts the oldest entries of a Map or Set (insertion order) in constant time each.
 *
 * Why not `collection.keys().next()` per eviction: V8 leaves deleted entries as holes at the front of the
 * hash table until it is rehashed, and a fresh iterator walks past every one of them — with a full
 * collection that adds one entry and evicts one per event, that is tens of thousands of holes per event
 * (the largest cost of the TON ingest path before this). One iterator that lives as long as the
 * collection resumes where the last eviction stopped: everything before it was evicted by it, and
 * everything added since (re-insertions too) comes after it, so its next key is always the oldest.
 */
export class OldestFirst<K> {
  #cursor: Iterator<K>

  readonly #collection: KeyedCollection<K>

  constructor(collection: KeyedCollection<K>) {
    this.#collection = collection

    this.#cursor = collection.keys()
  }

  /** Deletes the oldest entries while more than `limit` remain, telling `evicted` about each. */
  trim(limit: number, evicted?: (key: K) => void): void {
    while (this.#collection.size > limit) {
      let next = this.#cursor.next()
      if (next.done) {
        // A finished iterator stays finished: start a new one (only after the collection was emptied).
        this.#cursor = this.#collection.keys()
        next = this.#cursor.next()
        if (next.done) return
      }
      this.#collection.delete(next.value)
      evicted?.(next.value)
    }
  }
}
