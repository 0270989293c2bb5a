/**
 * The consumers on one route, by consumer: a Map's operations, but a route with a single consumer (nearly
 * every route: one watch, or the tracker, per signature) holds it in two fields instead of a hash table,
 * which for a watch of thousands of signatures is most of what a route costs. A route extends it rather
 * than holding one, which saves an object per signature.
 */
export class RouteMembers<K, V> {
  protected soleKey: K | undefined
  protected soleValue: V | undefined
  protected many: Map<K, V> | undefined

  get size(): number {
    if (this.many) return this.many.size
    return this.soleKey === undefined ? 0 : 1
  }

  get(key: K): V | undefined {
    if (this.many) return this.many.get(key)
    return key === this.soleKey ? this.soleValue : undefined
  }

  set(key: K, value: V): void {
    if (this.many) {
      this.many.set(key, value)
    } else if (this.soleKey === undefined || this.soleKey === key) {
      this.soleKey = key
      this.soleValue = value
    } else {
      this.many = new Map([
        [this.soleKey, this.soleValue as V],
        [key, value],
      ])
      this.soleKey = undefined
      this.soleValue = undefined
    }
  }

  delete(key: K): boolean {
    if (this.many) return this.many.delete(key)
    if (this.soleKey === undefined || key !== this.soleKey) return false
    this.soleKey = undefined
    this.soleValue = undefined
    return true
  }

  keys(): IterableIterator<K> | K[] {
    if (this.many) return this.many.keys()
    return this.soleKey === undefined ? [] : [this.soleKey]
  }

  /** The entries now, as a new array (a delivery iterates a snapshot of them). */
  entries(): [K, V][] {
    if (this.many) return [...this.many]
    return this.soleKey === undefined ? [] : [[this.soleKey, this.soleValue as V]]
  }
}
