/**
 * Counts streaming sessions per key, including sessions that ended but that the server has not let go
 * of yet (the "linger" that makes an immediate reconnect fail with a connection-limit error).
 */
export class ConnectionLimiter {
  readonly #active = new Map<string, Set<object>>()
  readonly #lingering = new Map<string, number>()
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #closed = false

  /** Registers `session` under `key` unless the key is at `max` (`-1` = unlimited). */
  tryAcquire(key: string, max: number, session: object): boolean {
    const { active, lingering } = this.counts(key)
    if (max !== -1 && active + lingering >= max) return false
    const set = this.#active.get(key) ?? new Set()
    set.add(session)
    this.#active.set(key, set)
    return true
  }

  /** Ends `session`; it keeps counting for `lingerMs` (`0`: freed at once). */
  release(key: string, session: object, lingerMs: number): void {
    const set = this.#active.get(key)
    if (!set?.delete(session)) return
    if (set.size === 0) this.#active.delete(key)
    if (lingerMs <= 0 || this.#closed) return
    this.#lingering.set(key, (this.#lingering.get(key) ?? 0) + 1)
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      const left = (this.#lingering.get(key) ?? 1) - 1
      if (left > 0) this.#lingering.set(key, left)
      else this.#lingering.delete(key)
    }, lingerMs)
    this.#timers.add(timer)
  }

  counts(key: string): { active: number; lingering: number } {
    return { active: this.#active.get(key)?.size ?? 0, lingering: this.#lingering.get(key) ?? 0 }
  }

  /** Every key with active or lingering sessions. */
  keys(): string[] {
    return [...new Set([...this.#active.keys(), ...this.#lingering.keys()])]
  }

  /** Forgets lingering sessions at once (so the next connection is accepted). */
  clearLinger(): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#lingering.clear()
  }

  close(): void {
    this.#closed = true
    this.clearLinger()
  }
}
