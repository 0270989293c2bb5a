import type { TonEventType, TonFinality } from './event-types.js'
import type {
  AccountState,
  Action,
  AddressBook,
  JettonWallet,
  Metadata,
  TraceNode,
  Transaction,
} from './v3-types.js'

/** Optional enrichments (`include_address_book`, `include_metadata`). */
export interface Enrichments {
  address_book?: AddressBook
  metadata?: Metadata
}

/** Transactions of subscribed accounts in one trace (only those accounts; LT descending). */
export interface TransactionsNotification extends Enrichments {
  type: 'transactions'
  finality: TonFinality
  trace_external_hash_norm: string
  transactions: Transaction[]
}

/** Actions of one trace that involve the subscription. */
export interface ActionsNotification extends Enrichments {
  type: 'actions'
  finality: TonFinality
  trace_external_hash_norm: string
  actions: Action[]
}

/** A whole trace (not filtered by address): tree, transactions by hash, and optionally its actions. */
export interface TraceNotification extends Enrichments {
  type: 'trace'
  finality: TonFinality
  trace_external_hash_norm: string
  trace: TraceNode
  /** Transaction hash → transaction. */
  transactions: Record<string, Transaction>
  actions?: Action[]
}

/** A subscribed account's new state. Sent at `confirmed` and `finalized` only. */
export interface AccountStateChangeNotification {
  type: 'account_state_change'
  finality: TonFinality
  /** Raw address (`0:HEX`). */
  account: string
  state: AccountState
}

/** A jetton wallet of a subscribed owner changed. Sent at `confirmed` and `finalized` only. */
export interface JettonsChangeNotification extends Enrichments {
  type: 'jettons_change'
  finality: TonFinality
  jetton: JettonWallet
}

/**
 * A trace seen earlier at `pending` or `confirmed` will not be finalized as seen: drop what it showed.
 * Delivered without being subscribed to, and never after `finalized`.
 */
export interface TraceInvalidatedNotification {
  type: 'trace_invalidated'
  trace_external_hash_norm: string
}

/** Notification type → notification shape. */
export interface TonNotificationMap {
  transactions: TransactionsNotification
  actions: ActionsNotification
  trace: TraceNotification
  account_state_change: AccountStateChangeNotification
  jettons_change: JettonsChangeNotification
  trace_invalidated: TraceInvalidatedNotification
}

/** Any notification of TON Streaming v2, discriminated by `type`. */
export type TonNotification = TonNotificationMap[TonEventType]

/** Notifications that belong to one trace and carry a finality. */
export type TraceScopedNotification = TransactionsNotification | ActionsNotification | TraceNotification
