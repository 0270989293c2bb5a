import type { LifecycleSourceV1 } from '@chainstream/core/provider'
import type { TonLifecycleHost } from './lifecycle-host.js'
import { resolveLifecycleOptions, type TonLifecycleOptions } from './lifecycle-options.js'
import { TonLifecycleWatch } from './lifecycle-watch.js'
import { validateTonTraceId } from './trace-id.js'

export type { TonLifecycleHost } from './lifecycle-host.js'
export { validateTonTraceId } from './trace-id.js'

/**
 * The TON half of the cross-chain tracker: a {@link LifecycleSourceV1} over TON Streaming v2 `trace`
 * events. What `createToncenter(...).lifecycle` and `createTonapi(...).lifecycle` are. Options are checked
 * here, when the client is created.
 *
 * Each watch (one per tracker) holds **one** multiplexed stream: `types: ['trace']`,
 * `trace_external_hash_norms` = the tracked set, `min_finality: 'pending'`. It is an ordinary `stream()` of
 * the client with the stream defaults (gap recovery on), so it rides the client's shared connection with
 * the application's own streams. Adds and removes made in the same turn of the event loop (or within
 * `batchDelayMs`) become one subscription change: over WebSocket the set is changed in place (`subscribe`
 * with the new set, `unsubscribe` for removals); over SSE the request is re-opened with the new set
 * (removals alone are not worth a re-open and wait for the next one). Removals, which nothing waits for,
 * are held up to a second — an add meanwhile takes them along, and the one that empties the set goes at
 * once — so a burst of ending tracks costs an unsubscribe a second, not one per round trip. With nothing
 * left to track the stream stays idle for `idleTimeoutMs`, then closes; the next track opens a new one.
 *
 * Observations:
 * - a `trace` notification → a `tier` observation (`observationFromTonFinality`): the wire finality as tier
 *   and `providerStatus`, the outcome by `traceOutcome` (failure from aborted / failed compute /
 *   failed action phases at any finality; success at confirmed and finalized; unknown at a clean pending),
 *   the notification as `data`, its `source` (`stream`, or `snapshot` for API v3 look-ups);
 * - `trace_invalidated` → `invalidated` (terminal);
 * - a malformed notification of a tracked trace → `unknown_status` (a diagnostic; never a throw);
 * - stream errors → `sink.error`; a fatal one → watch `errored` for every tracked id.
 *
 * Snapshots (rule 10 of the finality model), from TON Center API v3 (`/traces?msg_hash=`, then
 * `/pendingTraces?ext_msg_hash=`): after every (re)subscribe, of every tracked trace not seen finalized;
 * after an in-place WebSocket change, of the added traces; and on demand with `snapshot(ids)`. The stream's
 * own recovery looks traces up too; the tracker's lifecycle machine takes a repeated observation as the
 * duplicate it is. A held trace (seen pending/confirmed) that API v3 lists neither committed nor pending,
 * twice `notFoundGraceMs` apart, is reported invalidated — but only when the current connection cannot
 * tell: the server sends `trace_invalidated` only on the connection that was delivered a non-final
 * snapshot of the trace, so traces seen before a reconnect, or only in a snapshot, are re-checked every
 * `recheckIntervalMs` until the stream reports them again or they settle.
 *
 * Reconciliation: the server drops notifications for a client that reads too slowly, without a word, so a
 * tracked trace not seen finalized that has not changed for `reconcileAfterMs` is looked up in API v3 —
 * guarded or not, seen or never seen — at most `reconcileMaxTraces` per period; what it finds is reported
 * with `source: 'reconciled'` (see `TraceReconciliation`).
 *
 * @throws {ChainstreamError} `InvalidArgument` for invalid options (see `TonLifecycleOptions`).
 */
export function createTonLifecycleSource(
  host: TonLifecycleHost,
  options: TonLifecycleOptions = {},
): LifecycleSourceV1 {
  const resolved = resolveLifecycleOptions(options)
  return {
    specificationVersion: 'v1',
    chain: 'ton',
    providerId: host.providerId,
    validateId: validateTonTraceId,
    openLifecycleWatch: (sink, watchOptions) => new TonLifecycleWatch(host, resolved, sink, watchOptions),
  }
}
