import type { SeedContext } from './seed-context.js'
import { until } from './wait.js'

/**
 * After the consumer's `close()`: the simulators must see no open connection, and no product timer may
 * still be alive. Both get a short grace — a socket's close and a timer's destroy hook land a turn or two
 * later — but nothing that a `close()` that really let go would need.
 */
export async function checkClosed(
  context: SeedContext,
  what: string,
  openConnections: () => number,
): Promise<void> {
  if (!(await until(() => openConnections() === 0, 1_000))) {
    context.violations.add('leak', `${what}: ${openConnections()} connection(s) still open 1 s after close()`)
  }
  let timers: string[] = await context.probe.liveTimers()
  const deadline = Date.now() + 300
  while (timers.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    timers = await context.probe.liveTimers()
  }
  if (timers.length > 0) {
    const origins = [...new Set(timers)].slice(0, 3).join('; ')
    context.violations.add(
      'leak',
      `${what}: ${timers.length} product timer(s) alive after close(): ${origins}`,
    )
  }
}

/** After the simulators closed too: no socket beyond those open before the seed. */
export async function checkSockets(context: SeedContext): Promise<void> {
  if (!(await until(() => context.probe.extraSockets() === 0, 1_000))) {
    context.violations.add('leak', `${context.probe.extraSockets()} socket(s) still open after every close()`)
  }
}
