import type { Diagnostic } from '@chainstream/core'
import { allSettled, onAbort } from '@chainstream/core/provider'
import type { FinalityGate } from '../finality-gate.js'
import { finalityRank, type TonFinality } from '../protocol/event-types.js'
import type { TonNotification } from '../protocol/notifications.js'
import type { TonSubscription } from '../protocol/subscription.js'
import type { TonEventSource } from '../ton-event.js'
import { Backfill } from './backfill.js'
import { type BaselineStart, type LateRank, takeBaseline } from './baseline.js'
import { type PeriodicTask, runWhileConnected } from './connection-schedule.js'
import { HeldWatch, type RecheckTarget } from './held-watch.js'
import { missingEndpoint } from './missing-endpoint.js'
import { PreSubscriptionTraces, type TypeRanks } from './pre-subscription.js'
import { Reconciliation } from './reconciliation.js'
import {
  type RecoveryHost,
  type RecoverySettings,
  type ResolvedRecovery,
  recoverySettings,
} from './recovery-options.js'
import type { V3Client } from './v3-client.js'
import { Watermarks } from './watermarks.js'

export type { ReconcileOptions, RecoveryHost, RecoveryTuning, ResolvedRecovery } from './recovery-options.js'

/** A baseline whose first look-up answers this soon after going live needs no reading of the chain's clock. */
const PROMPT_MS = 1_000

/**
 * Gap recovery from TON Center API v3. The streaming server replays nothing after a reconnect, sends
 * `trace_invalidated` only on the connection that saw the trace, and drops notifications for slow clients
 * without a word. After every (re)subscribe, recovery therefore:
 *
 * 1. **Baseline** — for accounts the stream starts following: where they start, in chain time, and which
 *    recent traces predate the subscription (see {@link takeBaseline}).
 * 2. **Backfill** (after a reconnect) — every committed trace of the followed accounts within a window that
 *    starts one horizon before the last chain time the live stream delivered, delivered per event type
 *    through the finality gate with `source: 'backfill'` (see {@link Backfill}).
 * 3. **Re-check** — every trace held below `finalized`, and every subscribed trace hash not yet final:
 *    an upgrade is delivered (`source: 'snapshot'`), a held trace that is gone is reported with
 *    `trace_invalidated` (`source: 'snapshot'`).
 *
 * Then, while the connection lasts: held traces the connection will not report on are re-checked every
 * `recheckIntervalMs` (and a backfill that failed is retried), and with `reconcile` the stream is compared
 * with API v3 every `everyMs` (see {@link Reconciliation}). That work stops when the connection ends and
 * starts again with the next one's recovery.
 */
export class GapRecovery {
  readonly watermarks = new Watermarks()
  readonly #settings: RecoverySettings
  readonly #phantoms = new PreSubscriptionTraces()
  readonly #backfill: Backfill
  readonly #watch: HeldWatch
  readonly #reconciliation: Reconciliation | undefined
  /** The last connection's host: where a baseline started from outside `recover()` reports. */
  #host: RecoveryHost | undefined
  /** Accounts whose baseline is being taken (a subscription change and a retry may ask at once). */
  readonly #baselining = new Set<string>()
  /** Connections so far (recover() calls): tells a baseline taken late from one taken on time. */
  #connection = 0
  /** Accounts the stream went live on without a baseline yet, and when. */
  readonly #liveWithoutBaseline = new Map<string, WentLive>()

  readonly #client: V3Client
  readonly #gate: FinalityGate

  constructor(client: V3Client, gate: FinalityGate, tuning: ResolvedRecovery = {}) {
    this.#client = client
    this.#gate = gate

    this.#settings = recoverySettings(tuning)
    const { watermarks } = this
    const phantoms = this.#phantoms
    const settings = this.#settings
    this.#backfill = new Backfill({ client, watermarks, phantoms, settings })
    this.#watch = new HeldWatch({ client, gate, watermarks, phantoms, settings })
    this.#reconciliation =
      settings.reconcileEveryMs === undefined
        ? undefined
        : new Reconciliation(this.#backfill, this.#watch, gate, watermarks)
  }

  /** Notes a notification the stream received or recovery delivered (before the gate's verdict). */
  observe(notification: TonNotification, source: TonEventSource): void {
    this.watermarks.observe(notification, source)
  }

  /**
   * Runs after a subscription went live (the engine calls it synchronously, before any notification behind
   * the acknowledgement). Rejections are reported by the engine as `error` events; the periodic work starts
   * either way and stops when `signal` aborts.
   */
  async recover(reconnect: boolean, signal: AbortSignal, host: RecoveryHost): Promise<void> {
    this.#host = host
    this.#connection++
    this.#watch.newConnection()
    const followed = new Set(host.subscription().addresses)
    for (const account of this.#liveWithoutBaseline.keys()) {
      if (!followed.has(account)) this.#liveWithoutBaseline.delete(account)
    }
    onAbort(signal, () => this.watermarks.markGapStart())
    try {
      await this.#firstPass(reconnect, signal, host)
    } finally {
      if (!signal.aborted) host.track(this.#whileConnected(signal, host))
    }
  }

  /** Records where accounts start being followed (also used when `update()` adds accounts). */
  async baseline(accounts: readonly string[], signal: AbortSignal): Promise<void> {
    const fresh = accounts.filter(
      (account) => !this.watermarks.has(account) && !this.#baselining.has(account),
    )
    if (fresh.length === 0) return
    // Accounts whose baselines measure from the same mark, with the same cap, share their look-ups:
    // - live on this connection since they went live, at a chain time of at least `seen` then — or of the
    //   chain's clock read by the baseline less the time since, when that is higher (`seen` is as old as
    //   the stream is quiet; see `#estimateMark`). The baseline's look-ups come later — moments later, or
    //   seconds when API v3 answers slowly or fails and the baseline is taken again — and a trace that
    //   ended after that mark is the subscription's, not one that predates it: when the server dropped its
    //   notifications meanwhile, recovery must still bring them. (Short of the finality the live stream
    //   itself sent it at: see `sentLive`.) When nothing had been delivered before the accounts went live
    //   (the stream's first subscription), everything the stream delivered since is the subscription's
    //   too, so a trace it delivered predates the subscription below the lowest finality it was delivered
    //   at (see `#lowestDelivered`);
    // - late: live on them before a drop, on an earlier connection, and the baseline never completed
    //   then. Every trace that ended after they went live is the subscription's, whether or not it was
    //   committed before the drop: its final snapshot may have come only after the last live data (the
    //   server filters by finality: a stream of `finalized` sees nothing of a trace before it is final),
    //   and the drop lost it. So the mark is the chain time when they went live, read from the chain's
    //   clock now less the time since (see `#estimateMark`), or the chain time seen then if higher — never
    //   the last live data before the drop, which would count such a trace as older than the accounts. Of
    //   what the live stream delivered, only the finality it delivered may predate the subscription;
    // - no mark at all: no committed chain time had been seen when they went live (a new stream, or only
    //   pending data so far). See `#estimateMark`.
    const wentLiveAt = performance.now()
    const groups = new Map<string, BaselineGroup>()
    for (const account of fresh) {
      this.#baselining.add(account)
      let wentLive = this.#liveWithoutBaseline.get(account)
      if (wentLive === undefined) {
        wentLive = {
          connection: this.#connection,
          seen: this.watermarks.seen,
          first: this.#gate.isEmpty,
          at: wentLiveAt,
        }
        this.#liveWithoutBaseline.set(account, wentLive)
      }
      const late = wentLive.connection < this.#connection
      const mark = wentLive.seen
      const { first } = wentLive
      // Every baseline may estimate its mark (see `#estimateMark`): `seen` is only a lower bound, and a
      // stale one (a quiet stream) would count the accounts' recent past as the subscription's.
      const since = wentLive.at
      const key = `${late}:${mark}:${first}:${since}`
      const group = groups.get(key) ?? { late, mark, first, since, accounts: [] }
      group.accounts.push(account)
      groups.set(key, group)
    }
    const subscription = this.#host?.subscription()
    const includeActions = subscription ? subscription.types.includes('actions') : true
    const deps = {
      client: this.#client,
      watermarks: this.watermarks,
      phantoms: this.#phantoms,
      backfill: this.#backfill,
      settings: this.#settings,
      awaitingBaseline: this.#liveWithoutBaseline,
    }
    const report = (diagnostic: Diagnostic) => this.#report(diagnostic)
    try {
      const work: Promise<void>[] = []
      for (const { late, mark, first, since, accounts } of groups.values()) {
        let estimated: Promise<number | undefined> | undefined
        const start: BaselineStart = {
          // The accounts have been followed since the mark: their windows reach back to it, not to wherever
          // the chain's clock is by the time API v3 answers (see `takeBaseline`).
          mark: () => {
            // Both are lower bounds of the chain time when the accounts went live: the higher is closer.
            estimated ??= this.#estimateMark(since, late || mark !== undefined, signal).then((reading) => {
              // Without the chain's clock (an API v3 without /masterchainInfo), a late baseline measures
              // from the last live data before the drop, as it did before it read the clock: the gap's
              // traces are still the subscription's, though one that ended before that data and
              // finalized in the drop is not told apart.
              const estimate = reading ?? (late ? this.watermarks.gapStart() : undefined)
              return estimate === undefined || (mark !== undefined && mark > estimate) ? mark : estimate
            })
            return estimated
          },
          // Late or first, everything the stream delivered came after the accounts went live.
          rank: (found) => this.#predatingRank(found, late || first, first),
        }
        work.push(takeBaseline(deps, accounts, includeActions, signal, report, start))
      }
      await allSettled(work)
      for (const account of fresh) if (this.watermarks.has(account)) this.#liveWithoutBaseline.delete(account)
    } finally {
      for (const account of fresh) this.#baselining.delete(account)
    }
  }

  /**
   * A mark for accounts that went live (at `performance.now()` `since`) with no committed chain time seen,
   * or whose baseline comes after a drop: one reading of the chain's clock — the latest indexed masterchain
   * block's time — less the local seconds elapsed since they went live (rounded up), less one more second.
   * A chain's clock runs no faster than real time and the indexer is behind it if anything, so the mark is
   * before the whole second of chain time the accounts went live in: a trace that ended after it is the
   * subscription's, and the server may have dropped it meanwhile. Only durations come from the local
   * clock, never its absolute time.
   *
   * Asked once the baseline's first look-up has answered. With a mark seen already (`force`: the chain time
   * of the latest data the stream had seen when the accounts went live), the reading is always taken: that
   * mark is a lower bound, as old as the stream is quiet, and every trace of the accounts that ended after
   * it would count as the subscription's — their recent past, delivered as missed after the next drop. The
   * higher of the two is the mark. Without one, when the look-up answered within {@link PROMPT_MS} of going
   * live (a new stream's first baseline, the usual case), there is no reading and no mark: what the server
   * could have dropped in that moment is taken as predating the subscription, as
   * {@link PreSubscriptionTraces} says. (A trace final by the baseline's answer that finalized after the
   * mark is told apart by its block: see `takeBaseline`.) Later — API v3 failed or was slow, or the
   * baseline comes after a drop — the reading costs one request, and without it every trace the baseline
   * finds would count as predating the accounts, so one the server dropped would never be recovered. In
   * exchange, a trace that settled in the three seconds or so before the subscription (more while the
   * indexer lags) may be delivered as missed.
   */
  async #estimateMark(since: number, force: boolean, signal: AbortSignal): Promise<number | undefined> {
    if (!force && performance.now() - since < PROMPT_MS) return undefined
    const clock = await this.#client.chainTime(signal)
    if (clock === undefined) {
      this.#report(missingEndpoint('/masterchainInfo'))
      return undefined
    }
    return clock - Math.ceil((performance.now() - since) / 1000) - 1
  }

  /**
   * What a baseline may record as predating the subscription: nothing of a trace that ended after chain
   * time `mark` (the subscription's; for accounts that did not go live with the first subscription, short
   * of what the live stream sent, see `#sentLive`); of one that ended before, its finality at the mark when
   * the stream never delivered it (below finalized when API v3 shows it finalized after the mark), else its
   * finality now — when `capAtDelivered`, at most the finality the stream delivered, or below the lowest it
   * delivered for the first subscription's accounts (see `#lowestDelivered`). `undefined` (record
   * everything at its finality now) when neither applies.
   */
  #predatingRank(mark: number | undefined, capAtDelivered: boolean, first: boolean): LateRank | undefined {
    if (mark === undefined && !capAtDelivered) return undefined
    return (hash, endUtime, rankNow, rankAtMark) => {
      if (mark !== undefined && endUtime > mark) return first ? undefined : this.#sentLive(hash, rankNow)
      if (first) {
        const reached = this.#lowestDelivered(hash)
        if (reached === undefined) return rankAtMark
        return reached > 1 ? Math.min(rankNow, reached - 1) : undefined
      }
      // Of a trace the stream never delivered, only what it was at the mark predates the accounts. One it
      // delivered is capped by that, not by when API v3 says it finalized: the mark is early, and an added
      // account's part of a trace delivered final before it was added is not the subscription's.
      const delivered = this.#gate.finalityOf(hash)
      if (delivered === undefined) return rankAtMark
      return capAtDelivered ? Math.min(rankNow, finalityRank(delivered)) : rankNow
    }
  }

  /**
   * For accounts that went live with the stream's first subscription: everything the stream delivered came
   * after that, and the server only sends what changes, so a trace delivered at some finality reached it
   * only then — before, it was below the lowest finality delivered of any type. (Not the finality
   * delivered itself: the server sends each type's snapshot of that finality at once, and one type's
   * arriving says nothing of another's that a slow reader's drop lost.)
   */
  #lowestDelivered(hash: string): number | undefined {
    let lowest: number | undefined
    for (const type of ['transactions', 'actions', 'trace'] as const) {
      const finality = this.#gate.finalityOf(hash, type)
      if (finality !== undefined && (lowest === undefined || finalityRank(finality) < lowest)) {
        lowest = finalityRank(finality)
      }
    }
    return lowest
  }

  /**
   * A trace that ended after the mark may still predate the accounts, up to the finality the live stream
   * itself sent it at. The mark is only a lower bound of the chain's clock when they went live — far below
   * it when the server had just dropped notifications for a slow reader — but the server's own snapshot is
   * exact either way: sent before the subscription took the accounts in, the trace was at that finality
   * before them; sent after, it carried their part already (the server puts every subscribed account's
   * transactions in the one snapshot). So recovery has nothing of theirs to bring at or below it — in that
   * type: a slow reader's drop may have lost the other type's snapshot of the same finality.
   */
  #sentLive(hash: string, rankNow: number): TypeRanks | undefined {
    const transactions = this.#gate.liveFinalityOf(hash, 'transactions')
    const actions = this.#gate.liveFinalityOf(hash, 'actions')
    if (transactions === undefined && actions === undefined) return undefined
    const capped = (live: TonFinality | undefined) =>
      live === undefined ? 0 : Math.min(rankNow, finalityRank(live))
    const ranks = { transactions: capped(transactions), actions: capped(actions) }
    // A type the stream does not follow was never owed: what the other type shows stands for it (and lets a
    // trace final in both count as settled).
    const types = this.#host?.subscription().types ?? []
    if (!types.includes('actions')) return { ...ranks, actions: ranks.transactions }
    if (!types.includes('transactions')) return { ...ranks, transactions: ranks.actions }
    return ranks
  }

  async #firstPass(reconnect: boolean, signal: AbortSignal, host: RecoveryHost): Promise<void> {
    const subscription = host.subscription()
    const work: Promise<void>[] = []
    if (followsAccounts(subscription)) {
      // Accounts never followed before have nothing to recover: their history starts now. A baseline taken
      // late (the last connection dropped before it completed) comes first: its accounts' gap is recovered.
      work.push(
        this.baseline(subscription.addresses, signal).then(() =>
          reconnect ? this.#recoverGap(signal, host) : undefined,
        ),
      )
    } else {
      this.watermarks.clearGap()
    }
    await allSettled(work)
    await this.#watch.recheck(this.#firstTargets(subscription), 'snapshot', host, signal)
  }

  /**
   * Backfills the pending gap of the followed accounts, and closes it — unless a trace of the gap waits for
   * the baseline of an account added meanwhile: then the gap stays open, and the next recheck backfills it
   * again.
   */
  async #recoverGap(signal: AbortSignal, host: RecoveryHost): Promise<void> {
    if (!this.watermarks.gapPending) return
    const subscription = host.subscription()
    const followed = subscription.addresses.filter((account) => this.watermarks.has(account))
    let complete = true
    if (followsAccounts(subscription) && followed.length > 0) {
      complete = await this.#backfill.run(followed, this.watermarks.gapStart(), 'backfill', host, signal)
    }
    if (!signal.aborted && complete) this.watermarks.clearGap()
  }

  /** Every held trace (none is reported on by a connection this young) and unsettled subscribed trace hashes. */
  #firstTargets(subscription: TonSubscription): RecheckTarget[] {
    const targets = this.#watch.unreported()
    if (subscription.types.includes('trace')) {
      const held = new Set(targets.map((target) => target.hash))
      for (const hash of subscription.traceExternalHashNorms) {
        const seen = this.#gate.finalityOf(hash, 'trace')
        if (seen === 'finalized' || held.has(hash)) continue
        targets.push({ hash, traceId: undefined, rank: seen ? finalityRank(seen) : 0, held: false })
      }
    }
    return targets
  }

  #whileConnected(signal: AbortSignal, host: RecoveryHost): Promise<void> {
    const tasks: PeriodicTask[] = [
      {
        name: 'recheck',
        everyMs: this.#settings.recheckIntervalMs,
        run: async () => {
          // A baseline or backfill that failed (API v3 unreachable) is taken again rather than lost.
          const subscription = host.subscription()
          if (followsAccounts(subscription)) await this.baseline(subscription.addresses, signal)
          await this.#recoverGap(signal, host)
          const released = this.#watch.takeReleased()
          if (released > 0) {
            host.diagnostic({
              code: 'watch-overflow',
              message: `${released} traces held below finalized were released from watching (maxWatchedTraces ${this.#settings.maxWatchedTraces}): their finality or invalidation now arrives only if the live stream sends it`,
            })
          }
          this.#prunePhantoms(subscription)
          await this.#watch.recheck(this.#watch.unreported(), 'snapshot', host, signal)
        },
      },
    ]
    const reconciliation = this.#reconciliation
    const everyMs = this.#settings.reconcileEveryMs
    if (reconciliation && everyMs !== undefined) {
      tasks.push({ name: 'reconcile', everyMs, run: () => reconciliation.run(host, signal) })
    }
    return runWhileConnected(tasks, signal, (task, error) => {
      host.diagnostic({
        code: `${task.name}-failed`,
        message: `Periodic ${task.name} against API v3 failed (tried again in ${task.everyMs} ms): ${error instanceof Error ? error.message : String(error)}`,
      })
    })
  }

  /**
   * Drops pre-subscription records no future window can reach: windows start one horizon before the
   * pending gap's start (or the live mark), or before the reconciliation's mark, never before an account's
   * baseline.
   */
  #prunePhantoms(subscription: TonSubscription): void {
    let from = this.watermarks.gapStart()
    if (this.#reconciliation) {
      const reconcileFrom = this.#reconciliation.windowFrom
      from = from === undefined || reconcileFrom === undefined ? undefined : Math.min(from, reconcileFrom)
    }
    if (from === undefined) return
    let earliest = Number.POSITIVE_INFINITY
    for (const start of this.#backfill.startsOf(subscription.addresses, from).values()) {
      earliest = Math.min(earliest, start)
    }
    if (Number.isFinite(earliest)) this.#phantoms.prune(earliest)
  }

  #report(diagnostic: Diagnostic): void {
    this.#host?.diagnostic(diagnostic)
  }
}

function followsAccounts(subscription: TonSubscription): boolean {
  return subscription.types.includes('transactions') || subscription.types.includes('actions')
}

/** Accounts whose baselines measure from the same mark, with the same cap: they share their look-ups. */
interface BaselineGroup {
  readonly late: boolean
  readonly mark: number | undefined
  /** They went live with the stream's first subscription: nothing was delivered before. */
  readonly first: boolean
  /** `performance.now()` when the accounts went live: what an estimate of the mark counts back from. */
  readonly since: number
  readonly accounts: string[]
}

/** When the stream went live on an account that has no baseline yet. */
interface WentLive {
  /** The connection (count of `recover()` calls) it went live on. */
  readonly connection: number
  /** The latest chain time seen then: what ended after it is the subscription's (above what was sent live). */
  readonly seen: number | undefined
  /** Nothing had been delivered before: all the stream delivered since came after it went live. */
  readonly first: boolean
  /** `performance.now()` then. */
  readonly at: number
}
