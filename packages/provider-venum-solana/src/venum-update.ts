import type { FinalityTier, Outcome } from '@chainstream/core'
import type { VenumStatus } from './venum-statuses.js'

/**
 * One change of a watched signature. Per signature, updates come in tier order (never backwards, never
 * twice), and exactly one has `done: true` — the last.
 *
 * - `failed` is terminal with outcome `failure`, and a failed signature never gets a success update.
 * - `timeout`, `verify-timeout` and `error` end the watch with outcome **unknown**: the transaction may
 *   still land or succeed. Before reporting them, the watch looks the signature up once more, so one
 *   that did reach its tier is reported as such.
 *
 * @example
 * ```ts
 * watch.on('update', (u) => {
 *   if (u.status === 'failed') console.error(u.signature, 'failed:', u.err)
 *   else if (u.done && u.outcome === 'unknown') console.warn(u.signature, u.status, '— outcome unknown')
 * })
 * ```
 */
export interface VenumUpdate {
  readonly signature: string
  /** Venum's status (a tier, `failed`, `timeout`, `verify-timeout`, or `error`). */
  readonly status: VenumStatus
  /** The slot, when Venum gave one. */
  readonly slot?: number
  /** `failed`: the on-chain error; `error`: why Venum could not watch the signature. */
  readonly err?: string
  /** Venum's timestamp of a stream event (epoch ms); absent for REST snapshots and polls. */
  readonly ts?: number
  /** `stream` (the live SSE stream), `snapshot` (a lookup after a (re)connect), `poll` (503 fallback). */
  readonly source: 'stream' | 'snapshot' | 'poll'
  /** The neutral tier reached so far (`landed` → `pending`, `processed` → `included`, …). */
  readonly tier: FinalityTier
  /** `success` (executed without error), `failure` (`failed`), or `unknown` (not executed yet, or timed out). */
  readonly outcome: Outcome
  /** `true` on the last update for this signature in this watch. */
  readonly done: boolean
}
