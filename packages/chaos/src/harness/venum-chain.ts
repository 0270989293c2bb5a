import type { VenumLifecycle, VenumSimulator } from '@chainstream/testkit'
import type { SignaturePath } from '../schedule-types.js'

export const VENUM_RANK: Readonly<Record<string, number>> = {
  landed: 1,
  processed: 2,
  confirmed: 3,
  finalized: 4,
}

const STEPS: Readonly<Record<SignaturePath, readonly string[]>> = {
  success: ['landed', 'processed', 'confirmed', 'finalized'],
  failure: ['landed', 'failed'],
}

/**
 * The truth about one Solana signature: what the simulated chain did, step by step. For signatures the
 * schedule moves itself this is exact; for ones left to the simulator's seeded lifecycles it is what
 * their lifecycle can ever do.
 */
export class SignatureChain {
  /** Every status the chain reached, in order. */
  readonly reached: string[] = []
  private next = 0

  constructor(
    readonly signature: string,
    /** `undefined` for automatic signatures (see `lifecycle`). */
    readonly path: SignaturePath | undefined,
    private readonly sim: VenumSimulator,
  ) {}

  /** The lifecycle of an automatic signature (known once the simulator has seen it). */
  get lifecycle(): VenumLifecycle | undefined {
    return this.path ? 'manual' : this.sim.lifecycleOf(this.signature)
  }

  get done(): boolean {
    return this.path === undefined || this.next >= STEPS[this.path].length
  }

  /** Moves a manual signature one step; `quiet`: the chain moves, no watcher hears of it. */
  advance(quiet = false): string | undefined {
    if (!this.path || this.done) return undefined
    const status = STEPS[this.path][this.next++] as string
    this.reached.push(status)
    this.sim.advance(this.signature, status as 'landed', quiet ? { quiet: true } : {})
    return status
  }

  finish(): void {
    while (!this.done) this.advance()
  }

  /** Whether the chain ever reached this status (for automatic ones: whether the lifecycle can). */
  canHaveReached(status: string): boolean {
    if (this.path) return this.reached.includes(status)
    switch (this.lifecycle) {
      case 'success':
        return status in VENUM_RANK
      case 'failure':
        return status === 'landed' || status === 'failed'
      case 'verify-timeout':
        return status === 'landed'
      default:
        return false
    }
  }

  /** Whether the transaction failed on chain. */
  get failed(): boolean {
    if (this.path) return this.reached.includes('failed')
    return this.lifecycle === 'failure' && this.sim.statusOf(this.signature) === 'failed'
  }

  /** Whether it will end as a success (every tier reached) — the manual success path, or the `success` lifecycle. */
  get succeeds(): boolean {
    return this.path ? this.path === 'success' : this.lifecycle === 'success'
  }

  /** Whether its story ends without any outcome (Venum times out or cannot watch it). */
  get endsUnknown(): boolean {
    return (
      this.path === undefined &&
      (this.lifecycle === 'verify-timeout' ||
        this.lifecycle === 'never-lands' ||
        this.lifecycle === 'setup-error')
    )
  }
}
