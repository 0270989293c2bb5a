/** Node-RED gives a node 15 s to call `done` on close before it logs a time-out; stay well inside it. */
export const CLOSE_LIMIT_MS = 5_000

/**
 * Runs a node's asynchronous clean-up and calls `done` exactly once: when the clean-up settles, or after
 * `limitMs` at the latest — a hung socket must never hold up a redeploy.
 */
export function closeWithin(
  work: () => Promise<unknown> | undefined,
  done: () => void,
  onProblem: (message: string) => void,
  limitMs = CLOSE_LIMIT_MS,
): void {
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    done()
  }
  const timer = setTimeout(() => {
    onProblem(`clean-up still running after ${limitMs} ms; closing anyway`)
    finish()
  }, limitMs)
  timer.unref?.()
  let pending: Promise<unknown> | undefined
  try {
    pending = work()
  } catch (error) {
    onProblem(`clean-up failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!pending) {
    finish()
    return
  }
  pending.then(finish, (error: unknown) => {
    onProblem(`clean-up failed: ${error instanceof Error ? error.message : String(error)}`)
    finish()
  })
}
