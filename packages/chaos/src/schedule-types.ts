import type { FaultKind } from './fault-kinds.js'

export type ScenarioKind = 'ton-stream' | 'venum-watch' | 'tracker'
export type TonProfile = 'toncenter' | 'tonapi'
export type TonTransport = 'sse' | 'websocket'
export type TonFinality = 'pending' | 'confirmed' | 'finalized'

/** One injected fault: what, when (the scenario tick it happens before), and its drawn parameters. */
export interface Fault {
  readonly kind: FaultKind
  readonly tick: number
  /** Kind-specific parameters, drawn from the seed; printed as they are. */
  readonly params: Readonly<Record<string, number | boolean | string>>
}

/** A TON stream over an address subscription, driven by the simulator's seeded scenario. */
export interface TonStreamPlan {
  readonly scenario: 'ton-stream'
  readonly profile: TonProfile
  readonly transport: TonTransport
  readonly minFinality: TonFinality
  /** How many of the simulator's 4 wallets the stream subscribes to. */
  readonly wallets: number
  readonly ticks: number
  readonly invalidationRate: number
  readonly failureRate: number
  /** How long an abruptly ended session keeps counting against the key. */
  readonly lingerMs: number
  /** Whether the opt-in periodic reconciliation is switched on (when the product has it). */
  readonly reconcile: boolean
  /**
   * API v3 answers `status` to every request from before the stream opens until `ms` after: the first
   * baseline comes late, with no chain time of the stream's own (only in some seeds).
   */
  readonly v3Outage?: { readonly status: number; readonly ms: number }
  /**
   * A second stream of the same client opens at `tick`, on the connection the client shares between its
   * streams, following the simulator's last wallet — and the first stream's first wallet too when `overlap`
   * (only in some seeds). It is owed everything of its wallets from its subscription on, like the first.
   * In half of those the first stream closes at `firstLeaves` and the second goes on alone: the first is
   * owed what came until it closed.
   */
  readonly secondConsumer?: {
    readonly tick: number
    readonly overlap: boolean
    readonly firstLeaves?: number
  }
  /**
   * A tracker of the same client starts at `tick` (or at the first tick after it with a trace emitted), on
   * the connection the client shares between its streams and its tracker's lifecycle source, and tracks
   * `traces` traces in flight then (the newest finalized ones when fewer are): each must end exactly once,
   * as the ledger says, while the faults hit the shared connection (only in some seeds).
   */
  readonly sharedTracker?: { readonly tick: number; readonly traces: number }
  /**
   * Before each wallet added with `update()`, this many ticks start their new traces between the wallets
   * the streams do not follow alone (the one about to be added among them): the followed wallets fall
   * quiet, and the chain time the stream last saw is old when the wallet is added (only in some seeds
   * with a subscription change).
   */
  readonly quietBeforeAdd?: number
  readonly faults: readonly Fault[]
}

/** The path a manually driven Solana signature takes. */
export type SignaturePath = 'success' | 'failure'

/** Venum: one watch over many signatures, plus `waitFor`s, driven tick by tick. */
export interface VenumWatchPlan {
  readonly scenario: 'venum-watch'
  /** Signatures moved by the schedule, one step per tick when drawn. */
  readonly manual: readonly SignaturePath[]
  /** Signatures left to the simulator's seeded lifecycles (on its scaled-down clock). */
  readonly automatic: number
  /** The tiers the watch asks for. */
  readonly events: readonly ('landed' | 'processed' | 'confirmed' | 'finalized')[]
  readonly maxStreams: number
  /** `waitFor`s on manual signatures: target tier, and the tick at which its signal aborts (if any). */
  readonly waits: readonly { index: number; tier: 'landed' | 'confirmed' | 'finalized'; abortAt?: number }[]
  /**
   * A tracker over the same client starts at `tick` and tracks these manual signatures (by index) to
   * `finalized`, on the client's streams (the pool its watch and waits share): each must end exactly once,
   * as the chain did (only in some seeds).
   */
  readonly sharedTracker?: { readonly tick: number; readonly indices: readonly number[] }
  readonly ticks: number
  readonly faults: readonly Fault[]
}

/** The cross-chain tracker over both simulators. */
export interface TrackerPlan {
  readonly scenario: 'tracker'
  readonly profile: TonProfile
  readonly transport: TonTransport
  /** TON traces: their stage path and whether the first action fails. */
  /**
   * TON traces: their stage path, whether the first action fails, and from which tick on they are tracked
   * (`trackAt`; from the start when absent — a trace tracked late may already have moved, or be final).
   */
  readonly traces: readonly {
    stages: readonly string[]
    failed: boolean
    abortAt?: number
    trackAt?: number
  }[]
  readonly signatures: readonly { path: SignaturePath; abortAt?: number }[]
  readonly lingerMs: number
  readonly ticks: number
  readonly faults: readonly Fault[]
}

export type ScenarioPlan = TonStreamPlan | VenumWatchPlan | TrackerPlan

/** Everything a seed decides. */
export type Schedule = ScenarioPlan & { readonly seed: number }
