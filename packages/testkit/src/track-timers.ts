import { createHook } from 'node:async_hooks'

/**
 * Counts the live timers (timeouts and intervals) created from the given source files, told apart by
 * their creation stack. A global count of timers is not usable in tests: vitest's own throttled
 * reporting timer comes and goes while a test runs.
 */
export function trackTimers(...files: string[]) {
  const live = new Set<number>()
  let created = 0
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return
      const stack = new Error().stack ?? ''
      if (files.some((file) => stack.includes(file))) {
        live.add(id)
        created++
      }
    },
    destroy(id) {
      live.delete(id)
    },
  })
  hook.enable()
  return {
    /** Timers created from those files since tracking began. */
    created: () => created,
    /** Live timers; async_hooks reports destruction a turn late, so this waits one turn first. */
    live: async () => {
      await new Promise((resolve) => setImmediate(resolve))
      return live.size
    },
    /** Stops tracking (disables the async hook). */
    stop: () => {
      hook.disable()
    },
  }
}
