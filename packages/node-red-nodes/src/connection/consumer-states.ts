import { type ConnectionPhase, type ConnectionStateMachine, shortReason } from './connection-state.js'

/** One consumer of a config node's client (a stream, a watch, a tracker's watch) as its status sees it. */
export interface ConsumerState {
  /** The consumer moved to `phase` (`reason`: why it is reconnecting). */
  set(phase: Exclude<ConnectionPhase, 'error'>, reason?: string): void
  /** The consumer ended; with `error` when a fatal one ended it (a wrong key, a refused subscription). */
  end(error?: unknown): void
}

// On a shared connection every consumer goes through the same states; where they differ (one joining
// while the others are subscribed, one watch reconnecting while another streams), the one that needs
// attention wins, and a consumer still joining does not turn a working connection yellow.
const RANK: Readonly<Record<Exclude<ConnectionPhase, 'error'>, number>> = {
  reconnecting: 3,
  subscribed: 2,
  connecting: 1,
  idle: 0,
}

/**
 * The phases of every consumer of one config node's client, folded into the config node's one state
 * machine — the status every node using the config shows. A fatal end shows as `error` until something
 * changes: a new consumer starts, or one gets subscribed.
 */
export class ConsumerStates {
  private readonly phases = new Map<object, { phase: Exclude<ConnectionPhase, 'error'>; reason?: string }>()
  private fatal: string | undefined

  constructor(private readonly machine: ConnectionStateMachine) {}

  /** Live consumers. */
  get size(): number {
    return this.phases.size
  }

  /** A new consumer, `connecting`. */
  add(): ConsumerState {
    const key = {}
    this.fatal = undefined
    this.phases.set(key, { phase: 'connecting' })
    this.fold()
    return {
      set: (phase, reason) => {
        if (!this.phases.has(key)) return
        if (phase === 'subscribed') this.fatal = undefined
        this.phases.set(key, reason === undefined ? { phase } : { phase, reason })
        this.fold()
      },
      end: (error) => {
        if (!this.phases.delete(key)) return
        if (error !== undefined) this.fatal = shortReason(error)
        this.fold()
      },
    }
  }

  /** Shows a problem that no consumer carries (the configuration cannot make a client). */
  fail(error: unknown): void {
    this.fatal = shortReason(error)
    this.fold()
  }

  /** Forgets every consumer (the config node is closing). */
  clear(): void {
    this.phases.clear()
    this.fatal = undefined
    this.machine.set('idle')
  }

  private fold(): void {
    if (this.fatal !== undefined) {
      this.machine.set('error', this.fatal)
      return
    }
    let best: { phase: Exclude<ConnectionPhase, 'error'>; reason?: string } = { phase: 'idle' }
    for (const state of this.phases.values()) if (RANK[state.phase] > RANK[best.phase]) best = state
    this.machine.set(best.phase, best.reason)
  }
}
