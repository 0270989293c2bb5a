import type { MasterchainBlock } from './chain-state.js'
import type { LedgerTraceRecord } from './ledger.js'
import { transactionAddresses } from './notification-filter.js'
import { snapshotNotifications } from './snapshot.js'
import type { TonAction, TonNotification, TonStage, TonTransaction } from './wire-types.js'

/**
 * Broadcasts one generated notification. `involved` are the addresses its address book covers (and
 * decide who is interested); `metadataFor` narrows metadata when it differs (jettons).
 */
export type Publish = (
  notification: TonNotification,
  involved: readonly string[],
  metadataFor?: readonly string[],
) => void

/** Checks a stage list: increasing finalities, optionally ending with `invalidated` (not after finalized). */
export function validateStages(stages: readonly TonStage[]): void {
  if (stages.length === 0) throw new TypeError('a trace needs at least one stage')
  const order = ['pending', 'confirmed', 'finalized']
  let last = -1
  stages.forEach((stage, index) => {
    if (stage === 'invalidated') {
      if (index !== stages.length - 1) throw new TypeError('invalidated must be the last stage')
      if (index === 0) throw new TypeError('a trace cannot be invalidated before any snapshot')
      if (stages[index - 1] === 'finalized') throw new TypeError('a finalized trace cannot be invalidated')
      return
    }
    const rank = order.indexOf(stage)
    if (rank <= last) throw new TypeError(`stages must increase: ${stages.join(' → ')}`)
    last = rank
  })
}

/** Emits the stages of one planned trace, one per call, recording them in the ledger. */
export class TraceRun {
  readonly record: LedgerTraceRecord
  readonly #publish: Publish
  readonly #finalize: () => MasterchainBlock
  #next = 0

  /** `finalize` makes the masterchain block the trace finalizes in. */
  constructor(record: LedgerTraceRecord, publish: Publish, finalize: () => MasterchainBlock) {
    this.record = record
    this.#publish = publish
    this.#finalize = finalize
  }

  get remaining(): readonly TonStage[] {
    return this.record.plannedStages.slice(this.#next)
  }

  get done(): boolean {
    return this.#next >= this.record.plannedStages.length
  }

  /** Emits the next stage; `undefined` when there is none left. */
  emitNext(): TonStage | undefined {
    const stage = this.record.plannedStages[this.#next]
    if (stage === undefined) return undefined
    this.#next++
    const record = this.record
    const built = record.built
    record.stages.push(stage)
    if (stage === 'invalidated') {
      this.#publish({ type: 'trace_invalidated', trace_external_hash_norm: built.traceExternalHashNorm }, [])
      return stage
    }
    record.finality = stage
    if (stage === 'finalized') record.finalBlock = this.#finalize()
    const snapshot = snapshotNotifications(built, stage)
    this.#publish(snapshot.transactions, snapshot.transactions.transactions.flatMap(transactionAddresses))
    this.#publish(
      snapshot.actions,
      snapshot.actions.actions.flatMap((action: TonAction) => action.accounts),
    )
    this.#publish(snapshot.trace, built.involved)
    // Account states and jetton wallets are only published once a block holds the trace.
    if (stage !== 'pending') {
      for (const { account, state } of built.accountStates) {
        this.#publish({ type: 'account_state_change', finality: stage, account, state }, [account])
      }
      for (const jetton of built.jettonWallets) {
        this.#publish(
          { type: 'jettons_change', finality: stage, jetton },
          [jetton.address, jetton.owner, jetton.jetton],
          [jetton.owner, jetton.jetton],
        )
      }
    }
    return stage
  }
}

/** A handle on a trace planned with `sim.emitTrace`. */
export interface TonTraceHandle {
  readonly traceExternalHashNorm: string
  /** The root transaction hash (`trace_id`). */
  readonly traceId: string
  /** The external message hash. */
  readonly externalHash: string
  /** The last stage emitted, `undefined` before the first `advance()`. */
  readonly stage: TonStage | undefined
  /** Stages still to emit. */
  readonly remaining: readonly TonStage[]
  /** The transactions in their final form (creation order). */
  readonly transactions: readonly TonTransaction[]
  readonly actions: readonly TonAction[]
  /** Emits the next stage; resolves with it (`undefined` when none was left) once it is written out. */
  advance(): Promise<TonStage | undefined>
  /** Emits every remaining stage. */
  finish(): Promise<void>
}

const flushed = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Wraps a run in the public handle. */
export function traceHandle(run: TraceRun): TonTraceHandle {
  const record = run.record
  return {
    traceExternalHashNorm: record.traceExternalHashNorm,
    traceId: record.traceId,
    externalHash: record.externalHash,
    get stage() {
      return record.stages.at(-1)
    },
    get remaining() {
      return run.remaining
    },
    transactions: record.built.transactions,
    actions: record.built.actions,
    advance: async () => {
      const stage = run.emitNext()
      await flushed()
      return stage
    },
    finish: async () => {
      while (run.emitNext() !== undefined) {}
      await flushed()
    },
  }
}
