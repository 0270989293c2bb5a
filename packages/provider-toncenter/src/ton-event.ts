import type { TonEventType } from './protocol/event-types.js'
import type { TonNotificationMap } from './protocol/notifications.js'

/**
 * Where an event came from:
 * - `stream` — live, from the streaming connection;
 * - `backfill` — fetched from API v3 for a gap after a reconnect;
 * - `snapshot` — the re-check of a trace held at pending/confirmed that the current connection will not
 *   report on (seen before a reconnect, or delivered by recovery): its upgrade, or its invalidation when it
 *   is gone;
 * - `reconciled` — found by the opt-in periodic reconciliation (`reconcile`): something the live stream
 *   should have delivered and did not (the server drops notifications for slow clients without a word).
 */
export type TonEventSource = 'stream' | 'backfill' | 'snapshot' | 'reconciled'

/**
 * A delivered TON event: the server's notification exactly as it arrived (snake_case fields, amounts and
 * LTs as strings), plus `source`. Narrow on `type`.
 *
 * @example
 * ```ts
 * for await (const event of stream) {
 *   if (event.type === 'transactions') console.log(event.finality, event.transactions.length, event.source)
 * }
 * ```
 */
export type TonEvent<K extends TonEventType = TonEventType> = K extends TonEventType
  ? TonNotificationMap[K] & { readonly source: TonEventSource }
  : never

/** Tags a notification with its source, in place (the object was parsed for this delivery alone). */
export function withSource<K extends TonEventType>(
  notification: TonNotificationMap[K],
  source: TonEventSource,
): TonEvent<K> {
  ;(notification as { source?: TonEventSource }).source = source
  return notification as TonEvent<K>
}
