import { sleep } from '@chainstream/core/provider'

/** Work repeated while a connection lasts. */
export interface PeriodicTask {
  /** For error reports (`recheck`, `reconcile`). */
  readonly name: string
  readonly everyMs: number
  run(): Promise<void>
}

/**
 * Runs each task every `everyMs` (measured from the end of its previous run, so runs never overlap) until
 * `signal` aborts — the end of the connection the work belongs to; the next connection starts its own. One
 * loop for all tasks, so that they never race each other over the same traces. Nothing is left behind
 * after the abort: the only timer is the current wait, which the abort clears. Resolves when it stopped.
 */
export async function runWhileConnected(
  tasks: readonly PeriodicTask[],
  signal: AbortSignal,
  failed: (task: PeriodicTask, error: unknown) => void,
): Promise<void> {
  if (tasks.length === 0) return
  const due = tasks.map((task) => Date.now() + task.everyMs)
  while (!signal.aborted) {
    try {
      await sleep(Math.max(0, Math.min(...due) - Date.now()), signal)
    } catch {
      return
    }
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i] as PeriodicTask
      if ((due[i] as number) > Date.now()) continue
      try {
        await task.run()
      } catch (error) {
        if (signal.aborted) return
        failed(task, error)
      }
      due[i] = Date.now() + task.everyMs
    }
  }
}
