import { OldestFirst } from '../oldest-first.js'
import { finalityRank, meetsFinality } from '../protocol/event-types.js'
import type { TonEventSource } from '../ton-event.js'
import type { PreSubscriptionTraces } from './pre-subscription.js'
import type { RecoveryHost, RecoverySettings } from './recovery-options.js'
import { traceEndUtime, traceFinality, traceHashOf, traceStartLt } from './trace-facts.js'
import { recoveredNotifications, traceTypesOf } from './trace-notifications.js'
import type { V3Client, V3Trace } from './v3-client.js'
import { tracesById } from './v3-lookups.js'
import type { Watermarks } from './watermarks.js'
import { scanWindow } from './window-scan.js'

/** Trace ids remembered as settled (nothing left to deliver); beyond this the oldest may be fetched again. */
const SETTLED_CAPACITY = 100_000

/** What a backfill reads and writes. */
export interface BackfillDeps {
  readonly client: V3Client
  readonly watermarks: Watermarks
  readonly phantoms: PreSubscriptionTraces
  readonly settings: RecoverySettings
}

/**
 * Delivers what API v3 has for a time window of the followed accounts: every committed trace with a
 * transaction (or action) of theirs since each account's window start, as the `transactions` and `actions`
 * notifications the stream would have sent, at the trace's finality now, through the finality gate (which
 * drops what was already delivered).
 *
 * Windows are chain time, not logical time: a trace with a lower LT can finalize after a later one on the
 * same account (the server finalizes a trace once all of its transactions are), so "above the highest LT
 * seen" misses it. A window `horizonSeconds` back from the last data seen holds every trace that was not
 * yet final then (see {@link Watermarks}).
 */
export class Backfill {
  /** Finalized traces whose notifications were all offered to the gate: never fetched again. */
  readonly #settled = new Map<string, true>()
  readonly #oldestSettled = new OldestFirst(this.#settled)

  readonly #deps: BackfillDeps

  constructor(deps: BackfillDeps) {
    this.#deps = deps
  }

  /** Marks a trace id as having nothing (more) to deliver. */
  markSettled(traceId: string): void {
    this.#settled.set(traceId, true)
    this.#oldestSettled.trim(SETTLED_CAPACITY)
  }

  /**
   * Each followed account's window start: `from` (chain time; an account's baseline when later, as nothing
   * before a baseline is the subscription's) minus the horizon.
   */
  startsOf(accounts: readonly string[], from: number | undefined): Map<string, number> {
    const starts = new Map<string, number>()
    for (const account of accounts) {
      const baseline = this.#deps.watermarks.baselineOf(account)
      if (baseline === undefined) continue
      starts.set(account, Math.max(from ?? baseline, baseline) - this.#deps.settings.horizonSeconds)
    }
    return starts
  }

  /**
   * Scans the window of `accounts` from chain time `from` and delivers what the stream lacks. Resolves
   * `false` when a trace found waits for a subscribed account's baseline (see `#deliver`): the window has
   * to be scanned again once it has one.
   */
  async run(
    accounts: readonly string[],
    from: number | undefined,
    source: Extract<TonEventSource, 'backfill' | 'reconciled'>,
    host: RecoveryHost,
    signal: AbortSignal,
  ): Promise<boolean> {
    const starts = this.startsOf(accounts, from)
    if (starts.size === 0) return true
    const { client, settings } = this.#deps
    const label = source === 'backfill' ? 'backfill' : 'reconcile'
    const includeActions = host.subscription().types.includes('actions')
    const ids = (
      await scanWindow(client, starts, includeActions, settings, label, signal, (d) => host.diagnostic(d))
    ).filter((id) => !this.#settled.has(id))
    const traces = await tracesById(client, ids, settings.concurrency, signal)
    const returned = new Set(traces.map((trace) => trace.trace_id))
    const missing = ids.filter((id) => !returned.has(id))
    if (missing.length > 0) {
      // A confirmed trace can be invalidated between the two requests; anything else is API v3 lagging.
      host.diagnostic({
        code: `${label}-trace-missing`,
        message: `${label}: API v3 did not return ${missing.length} traces of listed transactions; their events were not delivered now`,
        data: missing,
      })
    }
    traces.sort((a, b) => (traceStartLt(a) < traceStartLt(b) ? -1 : 1))
    let complete = true
    for (const trace of traces) if (!this.#deliver(trace, source, host, signal)) complete = false
    return complete
  }

  /** Offers the notifications of one API v3 trace to the gate; `false` when it waits for a baseline. */
  #deliver(trace: V3Trace, source: TonEventSource, host: RecoveryHost, signal: AbortSignal): boolean {
    if (signal.aborted) return true
    const hash = traceHashOf(trace)
    if (!hash) return true
    this.#deps.watermarks.see(traceEndUtime(trace))
    const finality = traceFinality(trace)
    const subscription = host.subscription()
    if (!meetsFinality(finality, subscription.minFinality)) return true
    const rank = finalityRank(finality)
    const types = traceTypesOf(subscription).filter((type) => type !== 'trace')
    const notifications = recoveredNotifications(this.#deps, trace, hash, finality, subscription, types, rank)
    if (notifications === undefined) return false
    for (const notification of notifications) host.deliver(notification, source)
    // A finalized trace never changes again: once offered in full, it needs no further look.
    if (finality === 'finalized' && trace.trace_id && !signal.aborted) this.markSettled(trace.trace_id)
    return true
  }
}
