import { Prng } from './prng.js'
import type { TraceSpec } from './trace-builder.js'
import type { TraceRun } from './trace-run.js'
import type { TonStage } from './wire-types.js'

/** Options of the background scenario (`sim.start` / `sim.step`). */
export interface TonScenarioOptions {
  /** @default 1 */
  seed?: number
  /** New traces per second; one per tick. @default 5 */
  ratePerSecond?: number
  /** Wallets that send and receive (any form). @default the simulator's `addresses` */
  addresses?: readonly string[]
  /** Action types to draw from. @default a realistic mix, mostly TON and jetton transfers */
  actionTypes?: readonly string[]
  /** Share of traces invalidated after pending or confirmed. @default 0.1 */
  invalidationRate?: number
  /** Share of traces whose first action fails. @default 0.05 */
  failureRate?: number
  /** Stop creating traces after this many. @default unlimited */
  maxTraces?: number
  /**
   * Share of traces ending in `finalized` that wait 5–15 ticks before that last stage (instead of 1–3), so
   * later, shorter traces on the same accounts finalize first. Out-of-LT-order finalization happens without
   * it too, over a few ticks; this widens it. @default 0
   */
  slowFinalizeRate?: number
}

const SLOW_FINALIZE_TICKS: readonly [number, number] = [5, 15]

/**
 * The seed of a scenario's own PRNG stream. The simulator's stream (behind `emitTrace`) starts from the
 * simulator's seed, which is usually the scenario's too: one stream twice hands the same hashes to a
 * scenario trace and an emitted one wherever their draws line up — the same external message and trace id
 * for two different traces, which distinct messages never have on chain.
 */
const scenarioSeed = (seed: number): number => Math.imul((seed ^ 0x5ce7a410) >>> 0, 0x9e3779b1) >>> 0

// Weighted toward what real feeds are full of.
const DEFAULT_MIX: readonly string[] = [
  ...Array<string>(8).fill('ton_transfer'),
  ...Array<string>(6).fill('jetton_transfer'),
  'jetton_burn',
  'jetton_mint',
  'nft_mint',
  'call_contract',
  'contract_deploy',
  'stake_deposit',
  'jetton_swap',
]

/** How the scenario creates one trace; supplied by the simulator. */
export type CreateRun = (
  spec: Omit<TraceSpec, 'jetton'> & { jetton?: string },
  stages: TonStage[],
  prng: Prng,
) => TraceRun

interface InFlight {
  run: TraceRun
  due: number
  slow: boolean
}

/**
 * A seeded, tick-driven generator. Everything (who pays whom, stage paths, stage delays, hashes) comes
 * from one PRNG consumed in a fixed order, so the same seed yields the same ledger whatever the timing.
 */
export class Scenario {
  readonly #prng: Prng
  readonly #addresses: readonly string[]
  readonly #actionTypes: readonly string[]
  readonly #invalidationRate: number
  readonly #failureRate: number
  readonly #maxTraces: number
  readonly #slowFinalizeRate: number
  readonly #createRun: CreateRun
  readonly #inFlight: InFlight[] = []
  #tick = 0
  #created = 0

  constructor(options: TonScenarioOptions, addresses: readonly string[], createRun: CreateRun) {
    if (addresses.length === 0) throw new TypeError('the scenario needs at least one address')
    this.#prng = new Prng(scenarioSeed(options.seed ?? 1))
    this.#addresses = addresses
    this.#actionTypes =
      options.actionTypes && options.actionTypes.length > 0 ? options.actionTypes : DEFAULT_MIX
    this.#invalidationRate = options.invalidationRate ?? 0.1
    this.#failureRate = options.failureRate ?? 0.05
    this.#maxTraces = options.maxTraces ?? Number.POSITIVE_INFINITY
    this.#slowFinalizeRate = options.slowFinalizeRate ?? 0
    this.#createRun = createRun
  }

  /** Traces started and not yet through all their stages. */
  get inFlight(): number {
    return this.#inFlight.length
  }

  /**
   * One tick: due traces advance (oldest first), then a new trace starts with its first stage — between
   * `wallets` (raw) alone when given, else between the scenario's wallets.
   */
  tick(wallets: readonly string[] = this.#addresses): void {
    const now = this.#tick++
    for (const entry of [...this.#inFlight]) {
      if (entry.due > now) continue
      entry.run.emitNext()
      if (entry.run.done) this.#inFlight.splice(this.#inFlight.indexOf(entry), 1)
      else entry.due = now + this.#delay(entry)
    }
    if (this.#created >= this.#maxTraces) return
    this.#created++
    const prng = this.#prng
    const sender = prng.pick(wallets)
    const others = wallets.filter((address) => address !== sender)
    const counterparty = others.length > 0 && prng.chance(0.5) ? prng.pick(others) : prng.address()
    // The draws keep their order (spec, then path), so a seed's ledger stays what it was.
    const spec = {
      sender,
      counterparties: [counterparty],
      actionTypes: [prng.pick(this.#actionTypes)],
      failed: prng.chance(this.#failureRate),
    }
    const path = this.#path()
    const run = this.#createRun(spec, path, prng)
    // Drawn only when asked for, for the same reason.
    const slow =
      this.#slowFinalizeRate > 0 && path.at(-1) === 'finalized' && prng.chance(this.#slowFinalizeRate)
    run.emitNext()
    if (run.done) return
    const entry = { run, due: 0, slow }
    entry.due = now + this.#delay(entry)
    this.#inFlight.push(entry)
  }

  /** Ticks until the entry's next stage. */
  #delay(entry: InFlight): number {
    if (entry.slow && entry.run.remaining.length === 1) return this.#prng.int(...SLOW_FINALIZE_TICKS)
    return this.#prng.int(1, 3)
  }

  /** Emits every remaining stage of the traces in flight, round by round. */
  finish(): void {
    while (this.#inFlight.length > 0) {
      for (const entry of [...this.#inFlight]) {
        entry.run.emitNext()
        if (entry.run.done) this.#inFlight.splice(this.#inFlight.indexOf(entry), 1)
      }
    }
  }

  #path(): TonStage[] {
    const prng = this.#prng
    if (prng.chance(this.#invalidationRate)) {
      return prng.chance(0.6) ? ['pending', 'invalidated'] : ['pending', 'confirmed', 'invalidated']
    }
    const r = prng.next()
    if (r < 0.8) return ['pending', 'confirmed', 'finalized']
    if (r < 0.88) return ['pending', 'finalized']
    if (r < 0.95) return ['confirmed', 'finalized']
    return ['finalized']
  }
}
