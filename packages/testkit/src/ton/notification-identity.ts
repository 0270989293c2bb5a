/**
 * What identifies one notification a session was sent or lost, cheaply: enough for a test oracle to tell
 * which ledger event it was (`seq`) and to match it against what a client received without keeping copies.
 */
export interface TonNotificationIdentity {
  /** The `seq` of the ledger event it came from (`sim.ledger.events`), before per-connection filtering. */
  readonly seq: number
  readonly type: string
  /** `transactions`, `actions`, `trace`, `trace_invalidated`. */
  readonly trace_external_hash_norm?: string
  /** Absent on `trace_invalidated`. */
  readonly finality?: string
  /** `account_state_change`: the account; `jettons_change`: the jetton wallet. */
  readonly account?: string
}

/**
 * Why a notification routed to a session never reached its socket:
 * - `connection-buffer`: SSE, the stream writer's 16-frame channel was full (the real server drops it silently);
 * - `client-buffer`: WebSocket, the manager's 64-frame per-client channel was full (`send buffer full, dropping event`);
 * - `silenced`: the session was silenced by a fault (`sim.silence()`);
 * - `closed`: still queued when the connection ended.
 */
export type TonDropReason = 'connection-buffer' | 'client-buffer' | 'silenced' | 'closed'

/** A notification a session lost, and why. */
export interface TonDroppedNotification extends TonNotificationIdentity {
  readonly reason: TonDropReason
}

/** The identity of `message` (the per-connection form of ledger event `seq`). */
export function identify(seq: number, message: Readonly<Record<string, unknown>>): TonNotificationIdentity {
  const hash = message.trace_external_hash_norm
  const jetton = message.jetton as { address?: unknown } | null | undefined
  const account =
    typeof message.account === 'string'
      ? message.account
      : typeof jetton?.address === 'string'
        ? jetton.address
        : undefined
  return {
    seq,
    type: String(message.type),
    ...(typeof hash === 'string' ? { trace_external_hash_norm: hash } : {}),
    ...(typeof message.finality === 'string' ? { finality: message.finality } : {}),
    ...(account === undefined ? {} : { account }),
  }
}
