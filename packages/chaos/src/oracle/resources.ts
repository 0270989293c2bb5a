import { createHook } from 'node:async_hooks'
import { sep } from 'node:path'

/**
 * Finds timers the product left running after `close()`. A global count of timers is useless here (the
 * test runner's own timers come and go), so timers are told apart by their creation stack: only those
 * created from the product's sources count — not the simulators', not the harness's.
 */
const PRODUCT_SOURCES = ['core', 'provider-toncenter', 'provider-tonapi', 'provider-venum-solana'].map(
  (name) => `${sep}packages${sep}${name}${sep}src${sep}`,
)

interface LiveTimer {
  readonly probe: number
  readonly origin: string
}

const live = new Map<number, LiveTimer>()
let currentProbe = 0
let hook: ReturnType<typeof createHook> | undefined

/**
 * The frame that called `setTimeout`/`setInterval`, when it is product code. Only the direct caller counts:
 * a harness timer set inside a listener the product called is the harness's, and undici's pool timers are
 * undici's.
 */
function productFrame(stack: string): string | undefined {
  const lines = stack.split('\n').slice(1)
  const caller = lines.findIndex(
    (line) => !line.includes('node:') && !line.includes('resources.ts') && line.includes('/'),
  )
  const isProduct = (line: string | undefined) =>
    line !== undefined && PRODUCT_SOURCES.some((source) => line.includes(source))
  if (caller < 0 || !isProduct(lines[caller])) return undefined
  // The caller and the product frames above it: `sleep` alone does not say whose sleep it was.
  return lines
    .slice(caller)
    .filter(isProduct)
    .slice(0, 3)
    .map((line) =>
      line
        .trim()
        .replace(/^at /, '')
        .replace(/\(?\/\S*\/packages\//, 'packages/')
        .replace(/\)$/, ''),
    )
    .join(' ← ')
}

function enable(): void {
  if (hook) return
  hook = createHook({
    init(asyncId, type) {
      if (type !== 'Timeout' || currentProbe === 0) return
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 24
      const stack = new Error().stack ?? ''
      Error.stackTraceLimit = limit
      const origin = productFrame(stack)
      if (origin) live.set(asyncId, { probe: currentProbe, origin })
    },
    destroy(asyncId) {
      live.delete(asyncId)
    },
  })
  hook.enable()
}

/** Counts TCP sockets and servers alive in this process. */
function sockets(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length
}

/** One seed's view: product timers created while it ran, and the socket count it started with. */
export interface ResourceProbe {
  /** Product timers created during this probe that are still alive (waits a turn first: destroy is late). */
  liveTimers(): Promise<string[]>
  /** Sockets beyond the count when the probe began. */
  extraSockets(): number
  end(): void
}

let probes = 0

export function beginProbe(): ResourceProbe {
  enable()
  const id = ++probes
  currentProbe = id
  const socketsBefore = sockets()
  return {
    async liveTimers() {
      await new Promise((resolve) => setImmediate(resolve))
      return [...live.values()].filter((timer) => timer.probe === id).map((timer) => timer.origin)
    },
    extraSockets: () => Math.max(0, sockets() - socketsBefore),
    end() {
      for (const [asyncId, timer] of live) if (timer.probe === id) live.delete(asyncId)
      if (currentProbe === id) currentProbe = 0
    },
  }
}
