/**
 * What a command opened (clients, a tracker, simulators), closed in reverse order at the end. Each close
 * gets a bounded time, so a server that never answers cannot keep the terminal waiting after the result.
 */
export class Resources {
  readonly #closers: Array<() => Promise<unknown> | unknown> = []

  /** Registers a close step; returns `value` for chaining at the point of creation. */
  add<T>(value: T, close: (value: T) => Promise<unknown> | unknown): T {
    this.#closers.push(() => close(value))
    return value
  }

  /** Closes everything, newest first; failures are ignored (the command's result is already known). */
  async closeAll(stepTimeoutMs = 3_000): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, stepTimeoutMs)
      })
      await Promise.race([Promise.resolve().then(close), limit]).catch(() => {})
      clearTimeout(timer)
    }
  }
}
