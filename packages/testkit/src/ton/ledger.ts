import type { MasterchainBlock } from './chain-state.js'
import { actionsAt, transactionsAt } from './snapshot.js'
import type { BuiltTrace } from './trace-builder.js'
import type { TonAction, TonFinality, TonStage, TonTransaction } from './wire-types.js'

/** One notification as it was broadcast (before per-connection filtering, without address book/metadata). */
export interface TonLedgerEvent {
  /** 1, 2, 3, … in emission order. */
  readonly seq: number
  /** `Date.now()` at emission. */
  readonly at: number
  readonly notification: Readonly<Record<string, unknown>>
}

/** Where a trace is: not emitted yet, or its last emitted stage. */
export type TonTraceStatus = 'planned' | TonStage

/** One trace the simulator emitted (or planned). */
export interface TonLedgerTrace {
  readonly traceExternalHashNorm: string
  /** The root transaction hash (`trace_id` in API v3). */
  readonly traceId: string
  /** The external message hash (`trace_external_hash`). */
  readonly externalHash: string
  readonly status: TonTraceStatus
  /** Stages emitted so far. */
  readonly stages: readonly TonStage[]
  readonly plannedStages: readonly TonStage[]
  /** The highest finality emitted, if any. */
  readonly finality: TonFinality | undefined
  /** Raw accounts with a transaction in the trace. */
  readonly accounts: readonly string[]
  /** Every address the trace involves (accounts, message counterparties, action addresses). */
  readonly involved: readonly string[]
  readonly actionTypes: readonly string[]
  readonly failed: boolean
  /** As in the latest emitted snapshot (the final form, at `finalized`, while still planned). */
  readonly transactions: readonly TonTransaction[]
  readonly actions: readonly TonAction[]
  readonly startLt: string
  readonly endLt: string
  readonly startUtime: number
  readonly endUtime: number
}

/** Internal: a ledger trace plus what is needed to rebuild its v3 objects. */
export class LedgerTraceRecord implements TonLedgerTrace {
  readonly built: BuiltTrace
  readonly plannedStages: readonly TonStage[]
  readonly stages: TonStage[] = []
  finality: TonFinality | undefined
  /** The masterchain block the trace finalized in (API v3's `mc_seqno_end`), once it did. */
  finalBlock: MasterchainBlock | undefined

  constructor(built: BuiltTrace, plannedStages: readonly TonStage[]) {
    this.built = built
    this.plannedStages = plannedStages
  }

  get traceExternalHashNorm(): string {
    return this.built.traceExternalHashNorm
  }
  get traceId(): string {
    return this.built.traceId
  }
  get externalHash(): string {
    return this.built.externalHash
  }
  get status(): TonTraceStatus {
    return this.stages.at(-1) ?? 'planned'
  }
  get accounts(): readonly string[] {
    return this.built.accounts
  }
  get involved(): readonly string[] {
    return this.built.involved
  }
  get actionTypes(): readonly string[] {
    return this.built.actionTypes
  }
  get failed(): boolean {
    return this.built.failed
  }
  get transactions(): readonly TonTransaction[] {
    return transactionsAt(this.built, this.finality ?? 'finalized')
  }
  get actions(): readonly TonAction[] {
    return actionsAt(this.built, this.finality ?? 'finalized')
  }
  get startLt(): string {
    return this.built.startLt.toString()
  }
  get endLt(): string {
    return this.built.endLt.toString()
  }
  get startUtime(): number {
    return this.built.startUtime
  }
  get endUtime(): number {
    return this.built.endUtime
  }
  /** Confirmed or finalized, and not invalidated: what API v3 shows as committed. */
  get committed(): boolean {
    return this.status === 'confirmed' || this.status === 'finalized'
  }
}

/** Options of the ledger's transaction and action helpers. */
export interface TonLedgerQuery {
  /** Only these raw accounts (any form is not accepted here: pass raw `0:HEX`). */
  accounts?: readonly string[]
  /** Only traces at confirmed/finalized (default), or every trace emitted at least once. */
  committedOnly?: boolean
}

/** Everything the simulator emitted, in order: what API v3 answers from and what tests compare with. */
export interface TonLedger {
  readonly events: readonly TonLedgerEvent[]
  readonly traces: readonly TonLedgerTrace[]
  /** The ledger's record of one trace, by its normalized external hash. */
  trace(traceExternalHashNorm: string): TonLedgerTrace | undefined
  /** The seq of the latest event (0 when none): pass it to {@link TonLedger.since} later. */
  mark(): number
  /** Events emitted after `mark`. */
  since(mark: number): readonly TonLedgerEvent[]
  /** Transactions of the latest snapshots, LT ascending. */
  transactions(query?: TonLedgerQuery): TonTransaction[]
  /** Actions of the latest snapshots, by `end_lt` ascending. */
  actions(query?: TonLedgerQuery): TonAction[]
}

export class Ledger implements TonLedger {
  readonly events: TonLedgerEvent[] = []
  readonly traces: LedgerTraceRecord[] = []
  readonly #byHash = new Map<string, LedgerTraceRecord>()
  /** Every trace id and external message hash so far (one space: both are 32-byte hashes). */
  readonly #ids = new Set<string>()

  addTrace(record: LedgerTraceRecord): void {
    // On chain a trace id (its root transaction's hash) and an external message's hash name one thing each;
    // a simulator that repeated one would send clients a story no server can tell.
    if (this.#ids.has(record.traceId) || this.#ids.has(record.externalHash)) {
      throw new Error(
        `the simulator drew trace id ${record.traceId} or external message ${record.externalHash} twice`,
      )
    }
    this.#ids.add(record.traceId)
    this.#ids.add(record.externalHash)
    this.traces.push(record)
    this.#byHash.set(record.traceExternalHashNorm, record)
  }

  /** Appends an event; returns its seq. */
  record(notification: object): number {
    const seq = this.events.length + 1
    this.events.push({ seq, at: Date.now(), notification: notification as Record<string, unknown> })
    return seq
  }

  trace(traceExternalHashNorm: string): LedgerTraceRecord | undefined {
    return this.#byHash.get(traceExternalHashNorm)
  }

  mark(): number {
    return this.events.length
  }

  since(mark: number): readonly TonLedgerEvent[] {
    return this.events.slice(Math.max(0, mark))
  }

  #selected(query: TonLedgerQuery): LedgerTraceRecord[] {
    const committedOnly = query.committedOnly ?? true
    return this.traces.filter((t) =>
      committedOnly ? t.committed : t.status !== 'planned' && t.status !== 'invalidated',
    )
  }

  transactions(query: TonLedgerQuery = {}): TonTransaction[] {
    const accounts = query.accounts ? new Set(query.accounts) : undefined
    return this.#selected(query)
      .flatMap((t) => t.transactions)
      .filter((tx) => accounts === undefined || accounts.has(tx.account))
      .sort((a, b) => compareLt(a.lt, b.lt))
  }

  actions(query: TonLedgerQuery = {}): TonAction[] {
    const accounts = query.accounts ? new Set(query.accounts) : undefined
    return this.#selected(query)
      .flatMap((t) => t.actions)
      .filter((action) => accounts === undefined || action.accounts.some((a) => accounts.has(a)))
      .sort((a, b) => compareLt(a.end_lt, b.end_lt))
  }
}

/** Orders decimal LT strings numerically. */
export function compareLt(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b)
  return diff > 0n ? 1 : diff < 0n ? -1 : 0
}
