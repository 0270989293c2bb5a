import { sleep } from '@chainstream/core/provider'
import type { FinalityGate, HeldTrace } from '../finality-gate.js'
import { finalityRank, meetsFinality } from '../protocol/event-types.js'
import type { TonEventSource } from '../ton-event.js'
import type { PreSubscriptionTraces } from './pre-subscription.js'
import type { RecoveryHost, RecoverySettings } from './recovery-options.js'
import { traceEndUtime, traceFinality, traceStartLt } from './trace-facts.js'
import { recoveredNotifications, traceTypesOf } from './trace-notifications.js'
import type { V3Client } from './v3-client.js'
import { type LookupTarget, lookupTraces } from './v3-lookups.js'
import type { Watermarks } from './watermarks.js'

/** A trace to re-check, and the finality its news must beat. */
export interface RecheckTarget extends LookupTarget {
  /** The lowest finality delivered for it (0 when nothing was). */
  readonly rank: number
  /** Delivered below `finalized` (so its disappearance is an invalidation the user must hear of). */
  readonly held: boolean
}

/** What the watch reads and writes. */
export interface HeldWatchDeps {
  readonly client: V3Client
  readonly gate: FinalityGate
  readonly watermarks: Watermarks
  readonly phantoms: PreSubscriptionTraces
  readonly settings: RecoverySettings
}

/**
 * Watches every trace the stream delivered below `finalized` until it finalizes or is invalidated.
 *
 * The server sends `trace_invalidated` only on the connection that was sent a non-final snapshot of the
 * trace, and forgets it when that connection ends. So a held trace is either **reported** — the current
 * connection's live stream delivered it below `finalized`, and the server will tell this connection what
 * becomes of it — or **unreported**: held from an earlier connection, or delivered by recovery. Unreported
 * ones are looked up in API v3 every `recheckIntervalMs` (committed `/traces`, then `/pendingTraces`, and
 * when in neither, once more after `notFoundGraceMs` before declaring the trace invalidated), across any
 * number of reconnects. The set is bounded by `maxWatchedTraces` (see {@link FinalityGate.limitHeld}).
 */
export class HeldWatch {
  #released = 0

  readonly #deps: HeldWatchDeps

  constructor(deps: HeldWatchDeps) {
    this.#deps = deps

    deps.gate.limitHeld(deps.settings.maxWatchedTraces, () => {
      this.#released++
    })
  }

  /**
   * A new connection is subscribed: nothing is reported on it yet. Which traces its live stream sends
   * below `finalized` (and so will report on) the gate notes as it admits them, in the trace's record.
   */
  newConnection(): void {
    this.#deps.gate.newConnection()
  }

  /** Held traces the current connection will not report on: the ones to look up. */
  unreported(): RecheckTarget[] {
    return this.#deps.gate.heldTraces(true).map(toTarget)
  }

  /** Every held trace, reported or not (reconciliation trusts nothing the server may have dropped). */
  all(): RecheckTarget[] {
    return this.#deps.gate.heldTraces().map(toTarget)
  }

  /** How many traces were released for capacity since the last call. */
  takeReleased(): number {
    const count = this.#released
    this.#released = 0
    return count
  }

  /**
   * Looks `targets` up and delivers what changed: a trace that settled further, at its new finality (every
   * subscribed type; the gate drops what was delivered), and a held trace that is gone with
   * `trace_invalidated`. A held trace that finalized but of which nothing is subscribed any more is
   * released.
   */
  async recheck(
    targets: readonly RecheckTarget[],
    source: TonEventSource,
    host: RecoveryHost,
    signal: AbortSignal,
  ): Promise<void> {
    if (targets.length === 0) return
    const { client, gate, settings } = this.#deps
    const byHash = new Map(targets.map((target) => [target.hash, target]))
    const first = await lookupTraces(client, targets, settings.concurrency, signal)
    const committed = first.committed
    let gone = targets.filter(
      (target) => target.held && !committed.has(target.hash) && !first.pending.has(target.hash),
    )
    if (gone.length > 0 && settings.notFoundGraceMs > 0) {
      await sleep(settings.notFoundGraceMs, signal)
      const again = await lookupTraces(client, gone, settings.concurrency, signal)
      for (const [hash, trace] of again.committed) committed.set(hash, trace)
      gone = gone.filter((target) => !again.committed.has(target.hash) && !again.pending.has(target.hash))
    }
    if (signal.aborted) return
    const subscription = host.subscription()
    const types = traceTypesOf(subscription)
    const found = [...committed].sort((a, b) => (traceStartLt(a[1]) < traceStartLt(b[1]) ? -1 : 1))
    for (const [hash, trace] of found) {
      const target = byHash.get(hash)
      if (!target) continue
      this.#deps.watermarks.see(traceEndUtime(trace))
      const finality = traceFinality(trace)
      const rank = finalityRank(finality)
      if (rank <= target.rank || !meetsFinality(finality, subscription.minFinality)) continue
      // Nothing while a subscribed account of it waits for its baseline: the trace waits with it.
      const notifications = recoveredNotifications(
        this.#deps,
        trace,
        hash,
        finality,
        subscription,
        types,
        rank,
      )
      if (notifications === undefined) continue
      if (notifications.length === 0 && finality === 'finalized' && target.held) {
        // Final, and nothing of it is subscribed any more: there is nothing left to watch for.
        gate.release(hash)
        continue
      }
      for (const notification of notifications) host.deliver(notification, source)
    }
    for (const target of gone) {
      host.deliver({ type: 'trace_invalidated', trace_external_hash_norm: target.hash }, source)
    }
  }
}

const toTarget = (held: HeldTrace): RecheckTarget => ({
  hash: held.hash,
  traceId: held.traceId,
  rank: finalityRank(held.finality),
  held: true,
})
