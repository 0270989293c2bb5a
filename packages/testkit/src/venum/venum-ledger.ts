import { hashSeed, seededRandom } from './seeded-random.js'
import { lifecycleSteps, pickLifecycle, rankOf } from './venum-lifecycle.js'
import type { VenumChainStatus, VenumLifecycle, VenumLifecycleWeights, VenumTimings } from './venum-types.js'

/** What the simulated chain knows about one signature. */
export interface LedgerEntry {
  readonly signature: string
  readonly lifecycle: VenumLifecycle
  /** The on-chain status; `undefined` until it landed. */
  status: VenumChainStatus | undefined
  readonly slot: number
  /** The on-chain error of a failed transaction. */
  err: string | undefined
  readonly fee: number
  readonly computeUnits: number
  /** Pending scheduled steps. */
  readonly timers: Set<ReturnType<typeof setTimeout>>
}

/** Called when a signature's on-chain status changed (`previous` is what it was). */
export type LedgerListener = (entry: LedgerEntry, previous: VenumChainStatus | undefined) => void

/** How the ledger picks a lifecycle for a signature it has not been told about. */
export type VenumLifecycleChooser =
  | VenumLifecycleWeights
  | ((signature: string, random: () => number) => VenumLifecycle)

export interface LedgerOptions {
  seed: number
  lifecycles: VenumLifecycleChooser
  timings: VenumTimings
  timeScale: number
  failureError: string
}

const BASE_SLOT = 411_000_000

/**
 * The simulated chain: one entry per signature, created when the signature is first mentioned (stream,
 * REST or `addSignature`), with its lifecycle's steps scheduled from that moment. Deterministic per seed
 * and signature, whatever the arrival order.
 */
export class VenumLedger {
  private readonly entries = new Map<string, LedgerEntry>()
  private readonly listeners = new Set<LedgerListener>()

  constructor(private readonly options: LedgerOptions) {}

  get size(): number {
    return this.entries.size
  }

  get(signature: string): LedgerEntry | undefined {
    return this.entries.get(signature)
  }

  /** The entry of `signature`, created (and its lifecycle started) on first sight. */
  ensure(signature: string, lifecycle?: VenumLifecycle): LedgerEntry {
    const existing = this.entries.get(signature)
    if (existing) return existing
    const random = seededRandom(hashSeed(this.options.seed, signature))
    const chosen =
      lifecycle ??
      (typeof this.options.lifecycles === 'function'
        ? this.options.lifecycles(signature, random)
        : pickLifecycle(this.options.lifecycles, random))
    const entry: LedgerEntry = {
      signature,
      lifecycle: chosen,
      status: undefined,
      slot: BASE_SLOT + Math.floor(random() * 1_000_000),
      err: undefined,
      fee: 5000,
      computeUnits: 1_000 + Math.floor(random() * 40_000),
      timers: new Set(),
    }
    this.entries.set(signature, entry)
    for (const step of lifecycleSteps(chosen, this.options.timings, this.options.timeScale, random)) {
      const timer = setTimeout(() => {
        entry.timers.delete(timer)
        this.set(entry, step.status, step.status === 'failed' ? this.options.failureError : undefined)
      }, step.atMs)
      entry.timers.add(timer)
    }
    return entry
  }

  /** Registers a signature with an explicit lifecycle; throws when it is known already. */
  add(signature: string, lifecycle: VenumLifecycle): LedgerEntry {
    if (this.entries.has(signature))
      throw new Error(`signature ${signature} is already known to the simulator`)
    return this.ensure(signature, lifecycle)
  }

  /**
   * Sets the on-chain status (manual control). A tier lower than the current one is ignored, as is any
   * change after `failed` or `finalized`: the chain does not go backwards. With `notify` false, no
   * watcher hears of it (Venum's watchers lagging behind the chain); REST lookups see it.
   */
  set(entry: LedgerEntry, status: VenumChainStatus, err?: string, notify = true): void {
    const previous = entry.status
    if (previous === 'failed' || previous === 'finalized') return
    if (status !== 'failed' && rankOf(status) <= rankOf(previous)) return
    entry.status = status
    if (status === 'failed') entry.err = err ?? this.options.failureError
    if (notify) for (const listener of this.listeners) listener(entry, previous)
  }

  onChange(listener: LedgerListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Cancels every scheduled step. */
  stop(): void {
    for (const entry of this.entries.values()) {
      for (const timer of entry.timers) clearTimeout(timer)
      entry.timers.clear()
    }
  }
}
