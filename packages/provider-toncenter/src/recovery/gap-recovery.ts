import { type Diagnostic, sleep } from '@chainstream/core'
import type { FinalityGate } from '../finality-gate.js'
import { normalizeTonAddress } from '../protocol/address.js'
import { finalityRank, meetsFinality, type TonFinality } from '../protocol/event-types.js'
import type { TonNotification } from '../protocol/notifications.js'
import type { TonSubscription } from '../protocol/subscription.js'
import type { Action, Transaction } from '../protocol/v3-types.js'
import type { TonEventSource } from '../ton-event.js'
import { byLtDescending, traceFinality, traceHashOf, traceStartLt } from './trace-facts.js'
import type { V3Client, V3Trace } from './v3-client.js'
import { Watermarks } from './watermarks.js'

/** Tuning of recovery. */
export interface RecoveryTuning {
  /** Items per API v3 page (1–1000). @default 100 */
  pageSize?: number
  /** Pages fetched per batch of accounts before giving up with a `backfill-truncated` diagnostic. @default 50 */
  maxPages?: number
  /**
   * A held trace found neither committed nor pending is looked up once more after this delay before it is
   * reported invalidated (API v3 may lag the stream by a moment). @default 3_000
   */
  notFoundGraceMs?: number
  /** Parallel API v3 requests. @default 4 */
  concurrency?: number
}

/** What recovery needs from the stream it serves. */
export interface RecoveryHost {
  /** The current subscription. */
  subscription(): TonSubscription
  /** Delivers a recovered notification through the finality gate. */
  deliver(notification: TonNotification, source: TonEventSource): void
  /** Reports an anomaly. */
  diagnostic(diagnostic: Diagnostic): void
}

const ACCOUNT_BATCH = 50
const ID_BATCH = 50

/**
 * Gap recovery from TON Center API v3. After every reconnect the streaming server replays nothing, and
 * invalidations of traces seen on the old connection are never sent on the new one, so:
 *
 * 1. **Backfill** — committed transactions of the subscribed accounts with an LT above each account's
 *    watermark at the moment the connection was lost, grouped into their traces (`/traces?trace_id=`), and
 *    delivered as `transactions` and `actions` notifications with `source: 'backfill'`. The finality gate
 *    drops whatever the live stream already delivered.
 * 2. **Re-check** — every trace held at pending/confirmed (and every subscribed trace hash not yet final)
 *    is looked up: a settled one is delivered again at its new finality (`source: 'snapshot'`), one found
 *    neither committed nor pending is reported with `trace_invalidated` (`source: 'snapshot'`).
 *
 * On the first connection it only records each account's current LT (the baseline the first gap starts
 * from) and takes a snapshot of subscribed trace hashes.
 */
export class GapRecovery {
  readonly watermarks = new Watermarks()
  private readonly pageSize: number
  private readonly maxPages: number
  private readonly notFoundGraceMs: number
  private readonly concurrency: number

  constructor(
    private readonly client: V3Client,
    private readonly gate: FinalityGate,
    tuning: RecoveryTuning = {},
  ) {
    this.pageSize = Math.min(1000, Math.max(1, tuning.pageSize ?? 100))
    this.maxPages = Math.max(1, tuning.maxPages ?? 50)
    this.notFoundGraceMs = Math.max(0, tuning.notFoundGraceMs ?? 3_000)
    this.concurrency = Math.max(1, tuning.concurrency ?? 4)
  }

  /** Runs after a subscription went live. Rejections are reported by the engine as `error` events. */
  async recover(reconnect: boolean, signal: AbortSignal, host: RecoveryHost): Promise<void> {
    const subscription = host.subscription()
    const followsAccounts =
      subscription.types.includes('transactions') || subscription.types.includes('actions')
    if (followsAccounts) {
      const known = subscription.addresses.filter(
        (address) => this.watermarks.gapStartOf(address) !== undefined,
      )
      const fresh = subscription.addresses.filter(
        (address) => this.watermarks.gapStartOf(address) === undefined,
      )
      if (reconnect && known.length > 0) await this.backfill(subscription, known, signal, host)
      // Accounts without a watermark were never followed before this connection: nothing of theirs was
      // missed, their history starts now.
      if (fresh.length > 0) await this.baseline(fresh, signal)
    }
    await this.recheck(subscription, reconnect, signal, host)
    this.watermarks.clearGap()
  }

  /** Records the current LT of accounts that start being followed (also used by `update()`). */
  async baseline(accounts: readonly string[], signal: AbortSignal): Promise<void> {
    await this.parallel(accounts, async (account) => {
      const [latest] = await this.client.transactions({ account, limit: 1, sort: 'desc' }, signal)
      this.watermarks.setBaseline(account, latest ? BigInt(latest.lt) : 0n)
    })
  }

  // ---------------------------------------------------------------------------------------------------
  // Backfill

  private async backfill(
    subscription: TonSubscription,
    accounts: string[],
    signal: AbortSignal,
    host: RecoveryHost,
  ): Promise<void> {
    const subscribed = new Set(subscription.addresses)
    const traceIds: string[] = []
    const seenIds = new Set<string>()
    const loose: Transaction[] = []
    for (let i = 0; i < accounts.length; i += ACCOUNT_BATCH) {
      const batch = accounts.slice(i, i + ACCOUNT_BATCH)
      const marks = new Map(batch.map((account) => [account, this.watermarks.gapStartOf(account) ?? 0n]))
      let from: bigint | undefined
      for (const mark of marks.values()) if (from === undefined || mark < from) from = mark
      for (let page = 0; ; page++) {
        if (page >= this.maxPages) {
          host.diagnostic({
            code: 'backfill-truncated',
            message: `Backfill stopped after ${this.maxPages} pages of ${this.pageSize} transactions; older gap events of ${batch.length} accounts were not recovered`,
          })
          break
        }
        const transactions = await this.client.transactions(
          {
            account: batch,
            start_lt: ((from ?? 0n) + 1n).toString(),
            sort: 'asc',
            limit: this.pageSize,
            offset: page * this.pageSize,
          },
          signal,
        )
        for (const tx of transactions) {
          const account = safeAddress(tx.account)
          const mark = account === undefined ? undefined : marks.get(account)
          if (mark === undefined || BigInt(tx.lt) <= mark) continue
          if (tx.trace_id) {
            if (!seenIds.has(tx.trace_id)) {
              seenIds.add(tx.trace_id)
              traceIds.push(tx.trace_id)
            }
          } else {
            loose.push(tx)
          }
        }
        if (transactions.length < this.pageSize) break
      }
    }
    if (loose.length > 0) {
      host.diagnostic({
        code: 'backfill-no-trace-id',
        message: `${loose.length} backfilled transactions have no trace_id and cannot be grouped into traces; they were skipped`,
        data: loose.map((tx) => tx.hash),
      })
    }
    const traces = await this.tracesById(traceIds, signal)
    const missing = traceIds.filter((id) => !traces.some((trace) => trace.trace_id === id))
    if (missing.length > 0) {
      host.diagnostic({
        code: 'backfill-trace-missing',
        message: `API v3 did not return ${missing.length} traces of backfilled transactions; their events were not recovered`,
        data: missing,
      })
    }
    traces.sort((a, b) => (traceStartLt(a) < traceStartLt(b) ? -1 : 1))
    for (const trace of traces) {
      const hash = traceHashOf(trace)
      if (!hash) continue
      const finality = traceFinality(trace)
      if (!meetsFinality(finality, subscription.minFinality)) continue
      for (const notification of this.notificationsOf(trace, hash, finality, subscription, [
        'transactions',
        'actions',
      ])) {
        host.deliver(notification, 'backfill')
      }
      for (const tx of Object.values(trace.transactions)) {
        const account = safeAddress(tx.account)
        if (account !== undefined && subscribed.has(account)) this.watermarks.raise(account, tx.lt)
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Re-check of held traces

  private async recheck(
    subscription: TonSubscription,
    reconnect: boolean,
    signal: AbortSignal,
    host: RecoveryHost,
  ): Promise<void> {
    const targets = new Map<string, { rank: number; traceId: string | undefined; held: boolean }>()
    if (reconnect) {
      for (const held of this.gate.heldTraces()) {
        targets.set(held.hash, { rank: finalityRank(held.finality), traceId: held.traceId, held: true })
      }
    }
    if (subscription.types.includes('trace')) {
      for (const hash of subscription.traceExternalHashNorms) {
        const seen = this.gate.finalityOf(hash)
        if (seen === 'finalized' || targets.has(hash)) continue
        targets.set(hash, {
          rank: seen ? finalityRank(seen) : 0,
          traceId: undefined,
          held: seen !== undefined,
        })
      }
    }
    if (targets.size === 0) return
    let found = await this.lookup(targets, signal)
    let gone = [...targets.keys()].filter((hash) => !found.has(hash))
    let pending = await this.pendingOf(gone, signal)
    gone = gone.filter((hash) => !pending.has(hash) && targets.get(hash)?.held === true)
    if (gone.length > 0 && this.notFoundGraceMs > 0) {
      await sleep(this.notFoundGraceMs, signal)
      const again = new Map(gone.map((hash) => [hash, targets.get(hash)!]))
      const late = await this.lookup(again, signal)
      for (const [hash, trace] of late) found.set(hash, trace)
      pending = await this.pendingOf(
        gone.filter((hash) => !late.has(hash)),
        signal,
      )
      gone = gone.filter((hash) => !late.has(hash) && !pending.has(hash))
    }
    found = new Map([...found].sort((a, b) => (traceStartLt(a[1]) < traceStartLt(b[1]) ? -1 : 1)))
    for (const [hash, trace] of found) {
      const target = targets.get(hash)
      const finality = traceFinality(trace)
      if (!target || finalityRank(finality) <= target.rank) continue
      if (!meetsFinality(finality, subscription.minFinality)) continue
      const types = target.held
        ? this.gate.typesSeen(hash)
        : subscription.types.includes('trace')
          ? (['trace'] as const)
          : []
      for (const notification of this.notificationsOf(trace, hash, finality, subscription, types)) {
        host.deliver(notification, 'snapshot')
      }
    }
    for (const hash of gone) {
      host.deliver({ type: 'trace_invalidated', trace_external_hash_norm: hash }, 'snapshot')
    }
  }

  /** Finds traces by id where known, else by hash (`msg_hash` accepts the external hash norm). */
  private async lookup(
    targets: Map<string, { traceId: string | undefined }>,
    signal: AbortSignal,
  ): Promise<Map<string, V3Trace>> {
    const found = new Map<string, V3Trace>()
    const ids = [...targets.values()].flatMap((target) => (target.traceId ? [target.traceId] : []))
    for (const trace of await this.tracesById(ids, signal)) {
      const hash = traceHashOf(trace)
      if (hash && targets.has(hash)) found.set(hash, trace)
    }
    const byHash = [...targets.keys()].filter((hash) => !found.has(hash))
    const batches = chunk(byHash, ID_BATCH)
    await this.parallel(batches, async (batch) => {
      const traces = await this.client.traces(
        { msg_hash: batch, include_actions: true, limit: batch.length * 2, sort: 'asc' },
        signal,
      )
      for (const trace of traces) {
        const hash = traceHashOf(trace)
        if (hash && targets.has(hash)) found.set(hash, trace)
      }
    })
    return found
  }

  private async pendingOf(hashes: string[], signal: AbortSignal): Promise<Set<string>> {
    const pending = new Set<string>()
    await this.parallel(chunk(hashes, ID_BATCH), async (batch) => {
      // An explicit limit: list endpoints answer 10 items by default, and a missing trace reads as invalidated.
      const query = { ext_msg_hash: batch, limit: Math.min(1000, batch.length * 2) }
      for (const trace of await this.client.pendingTraces(query, signal)) {
        const hash = traceHashOf(trace)
        if (hash) pending.add(hash)
      }
    })
    return pending
  }

  private async tracesById(ids: string[], signal: AbortSignal): Promise<V3Trace[]> {
    const out: V3Trace[] = []
    await this.parallel(chunk(ids, ID_BATCH), async (batch) => {
      out.push(
        ...(await this.client.traces(
          { trace_id: batch, include_actions: true, limit: batch.length, sort: 'asc' },
          signal,
        )),
      )
    })
    return out
  }

  // ---------------------------------------------------------------------------------------------------

  /** The notifications the stream would have sent for `trace`, for the given types. */
  private notificationsOf(
    trace: V3Trace,
    hash: string,
    finality: TonFinality,
    subscription: TonSubscription,
    types: readonly ('transactions' | 'actions' | 'trace')[],
  ): TonNotification[] {
    const subscribed = new Set(subscription.addresses)
    const actionFilter =
      subscription.actionTypes.length > 0 ? new Set<string>(subscription.actionTypes) : undefined
    const wantedAction = (action: Action) => actionFilter === undefined || actionFilter.has(action.type)
    const out: TonNotification[] = []
    for (const type of types) {
      if (!subscription.types.includes(type)) continue
      if (type === 'transactions') {
        const transactions = Object.values(trace.transactions).filter((tx) => {
          const account = safeAddress(tx.account)
          return account !== undefined && subscribed.has(account)
        })
        if (transactions.length === 0) continue
        out.push({
          type: 'transactions',
          finality,
          trace_external_hash_norm: hash,
          transactions: byLtDescending(transactions),
        })
      } else if (type === 'actions') {
        const actions = (trace.actions ?? []).filter(
          (action) =>
            wantedAction(action) && (action.accounts ?? []).some((account) => subscribed.has(account)),
        )
        if (actions.length === 0) continue
        out.push({ type: 'actions', finality, trace_external_hash_norm: hash, actions })
      } else if (trace.trace) {
        const actions = trace.actions?.filter(wantedAction)
        out.push({
          type: 'trace',
          finality,
          trace_external_hash_norm: hash,
          trace: trace.trace,
          transactions: trace.transactions,
          ...(actions && actions.length > 0 ? { actions } : {}),
        })
      }
    }
    return out
  }

  /** Runs `work` over `items` with at most `concurrency` in flight. */
  private async parallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++] as T
        await work(item)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker))
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

function safeAddress(address: string): string | undefined {
  try {
    return normalizeTonAddress(address)
  } catch {
    return undefined
  }
}
