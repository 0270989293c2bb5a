/**
 * Closes released consumers a little later. A redeploy stops the old nodes before it starts the new
 * ones; were the old streams closed at once, the last one would take the client's shared connection
 * with it and the new nodes would open another. Held for `lingerMs`, they keep it open until the new
 * nodes have joined. Nothing is delivered to a held consumer: its node detached before releasing it.
 */
export class Linger {
  private readonly held = new Map<() => Promise<void>, ReturnType<typeof setTimeout>>()
  private readonly closing = new Set<Promise<void>>()

  constructor(private readonly lingerMs = 2_000) {}

  /** Consumers released and not closed yet. */
  get size(): number {
    return this.held.size
  }

  /** Runs `close` after the linger (a rejection is nobody's business any more: the node has gone). */
  hold(close: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.held.delete(close)
      this.track(close)
    }, this.lingerMs)
    timer.unref?.()
    this.held.set(close, timer)
  }

  /** Closes everything held now, and waits for every close started so far. */
  async flush(): Promise<void> {
    for (const [close, timer] of this.held) {
      clearTimeout(timer)
      this.track(close)
    }
    this.held.clear()
    await Promise.all([...this.closing])
  }

  private track(close: () => Promise<void>): void {
    const closing = close().catch(() => {})
    this.closing.add(closing)
    void closing.then(() => this.closing.delete(closing))
  }
}
