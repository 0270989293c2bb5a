import type { ResourceProbe } from '../oracle/resources.js'
import type { Violations } from '../oracle/violation.js'

/** What a scenario gets to run one seed: where to record violations, notes and numbers. */
export interface SeedContext {
  readonly seed: number
  readonly violations: Violations
  readonly probe: ResourceProbe
  /** A timestamped line of what happened, printed when a seed is replayed. */
  note(line: string): void
  /** Counters worth reporting (events delivered, reconnects, …). */
  readonly stats: Record<string, number>
}
