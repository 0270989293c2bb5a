import type { FinalityGate } from '../finality-gate.js'
import { finalityRank } from '../protocol/event-types.js'
import type { Backfill } from './backfill.js'
import type { HeldWatch, RecheckTarget } from './held-watch.js'
import type { RecoveryHost } from './recovery-options.js'
import type { Watermarks } from './watermarks.js'

/**
 * The opt-in periodic comparison with API v3 (`reconcile: { everyMs }`), for what the protocol cannot tell:
 * the server drops notifications for a slow client without a word (16 frames per SSE connection, 64 per
 * client), and a dropped `trace_invalidated` or finalized snapshot leaves nothing to notice on the wire.
 *
 * Each run:
 * 1. scans the followed accounts' window since the previous run and delivers every committed trace's
 *    `transactions`/`actions` the stream lacks, through the finality gate (so nothing is doubled);
 * 2. re-checks every trace held below `finalized` — including those the current connection would report
 *    on, because the report itself may be what was dropped — and every subscribed trace hash not yet final.
 *
 * Everything it delivers carries `source: 'reconciled'` and is counted in `counters.reconciled`.
 *
 * Windows: a notification dropped after the previous run began was emitted at a chain time at or after the
 * latest chain time seen then (`Watermarks.seen`), and its trace started at most one horizon before; so the
 * next window starts one horizon before that mark. The mark belongs to the stream, not to a connection:
 * drops before a reconnect are still covered by the first run on the next connection.
 */
export class Reconciliation {
  /** Chain time at the start of the last completed run; the next window is measured from it. */
  #from: number | undefined

  readonly #backfill: Backfill
  readonly #watch: HeldWatch
  readonly #gate: FinalityGate
  readonly #watermarks: Watermarks

  constructor(backfill: Backfill, watch: HeldWatch, gate: FinalityGate, watermarks: Watermarks) {
    this.#backfill = backfill
    this.#watch = watch
    this.#gate = gate
    this.#watermarks = watermarks
  }

  /** Where the next window is measured from (undefined before the first run: each account's baseline). */
  get windowFrom(): number | undefined {
    return this.#from
  }

  async run(host: RecoveryHost, signal: AbortSignal): Promise<void> {
    const mark = this.#watermarks.seen
    const subscription = host.subscription()
    // A window covers only accounts with a baseline: while some still wait for theirs (API v3 failing),
    // the mark stays, or the first window that covers them would start past what they are owed.
    const covered = subscription.addresses.every((account) => this.#watermarks.has(account))
    if (subscription.types.includes('transactions') || subscription.types.includes('actions')) {
      await this.#backfill.run(subscription.addresses, this.#from, 'reconciled', host, signal)
    }
    const targets: RecheckTarget[] = this.#watch.all()
    if (subscription.types.includes('trace')) {
      const held = new Set(targets.map((target) => target.hash))
      for (const hash of subscription.traceExternalHashNorms) {
        const seen = this.#gate.finalityOf(hash, 'trace')
        if (seen === 'finalized' || held.has(hash)) continue
        targets.push({ hash, traceId: undefined, rank: seen ? finalityRank(seen) : 0, held: false })
      }
    }
    await this.#watch.recheck(targets, 'reconciled', host, signal)
    if (mark !== undefined && covered && !signal.aborted) this.#from = mark
  }
}
