import type { TraceRecord } from './trace-record.js'

/**
 * The traces held for recovery, oldest first, as a list threaded through their records: joining, leaving
 * and dropping the oldest cost no map entry and no lookup (the records are already at hand).
 */
export class HeldOrder {
  #oldest: TraceRecord | undefined
  #newest: TraceRecord | undefined
  #count = 0

  /** How many records are held. */
  get size(): number {
    return this.#count
  }

  /** Whether `record` is in the list. */
  has(record: TraceRecord): boolean {
    return record.olderHeld !== undefined || this.#oldest === record
  }

  /** Appends `record` (not held yet) as the newest. */
  push(record: TraceRecord): void {
    record.olderHeld = this.#newest
    record.newerHeld = undefined
    if (this.#newest) this.#newest.newerHeld = record
    else this.#oldest = record
    this.#newest = record
    this.#count++
  }

  /** Removes `record` when it is held. */
  remove(record: TraceRecord): void {
    if (!this.has(record)) return
    const { olderHeld, newerHeld } = record
    if (olderHeld) olderHeld.newerHeld = newerHeld
    else this.#oldest = newerHeld
    if (newerHeld) newerHeld.olderHeld = olderHeld
    else this.#newest = olderHeld
    record.olderHeld = undefined
    record.newerHeld = undefined
    this.#count--
  }

  /** The oldest held record. */
  first(): TraceRecord | undefined {
    return this.#oldest
  }

  /** The held records, oldest first. */
  *[Symbol.iterator](): IterableIterator<TraceRecord> {
    for (let record = this.#oldest; record; record = record.newerHeld) yield record
  }
}
