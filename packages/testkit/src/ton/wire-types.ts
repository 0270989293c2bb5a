/**
 * The JSON shapes the simulator sends: TON Center API v3 objects and Streaming API v2 notifications.
 * Field order follows the real server's structs, because the frames must match it byte for byte.
 */

/** Snapshot finality, ordered pending < confirmed < finalized. */
export type TonFinality = 'pending' | 'confirmed' | 'finalized'

/** A stage a trace can go through: a finality, or its retraction. */
export type TonStage = TonFinality | 'invalidated'

/** Subscribable event types (`trace_invalidated` is sent without being asked for). */
export type TonEventType = 'transactions' | 'actions' | 'trace' | 'account_state_change' | 'jettons_change'

/** The five types a subscription may name. */
export const TON_EVENT_TYPES: readonly TonEventType[] = [
  'transactions',
  'actions',
  'trace',
  'account_state_change',
  'jettons_change',
]

const FINALITY_RANK: Record<TonFinality, number> = { pending: 0, confirmed: 1, finalized: 2 }

/** Orders finalities: negative when `a` is lower than `b`. */
export function compareFinality(a: TonFinality, b: TonFinality): number {
  return FINALITY_RANK[a] - FINALITY_RANK[b]
}

/** Whether `value` is one of the three finalities. */
export function isFinality(value: unknown): value is TonFinality {
  return value === 'pending' || value === 'confirmed' || value === 'finalized'
}

/** API v3 `MessageContent`. */
export interface TonMessageContent {
  hash: string
  body: string
  decoded: Record<string, unknown> | null
}

/** API v3 `Message`. */
export interface TonMessage {
  hash: string
  source: string | null
  destination: string | null
  value: string | null
  value_extra_currencies: Record<string, string>
  fwd_fee: string | null
  ihr_fee: string | null
  extra_flags: string | null
  created_lt: string | null
  created_at: string | null
  opcode: string | null
  decoded_opcode: string | null
  ihr_disabled: boolean | null
  bounce: boolean | null
  bounced: boolean | null
  import_fee: string | null
  in_msg_tx_hash?: string
  out_msg_tx_hash?: string
  message_content: TonMessageContent
  init_state: TonMessageContent | null
  hash_norm?: string
}

/** API v3 `AccountState` (as inside a transaction and in `account_state_change`). */
export interface TonAccountState {
  hash: string
  balance: string
  extra_currencies: Record<string, string> | null
  account_status: string
  frozen_hash: string | null
  data_hash: string | null
  code_hash: string | null
}

/** API v3 `Transaction`. */
export interface TonTransaction {
  account: string
  hash: string
  lt: string
  now: number
  mc_block_seqno: number
  trace_id: string
  prev_trans_hash: string
  prev_trans_lt: string
  orig_status: string
  end_status: string
  total_fees: string
  total_fees_extra_currencies: Record<string, string>
  description: Record<string, unknown>
  block_ref: { workchain: number; shard: string; seqno: number }
  in_msg: TonMessage | null
  out_msgs: TonMessage[]
  account_state_before: TonAccountState | null
  account_state_after: TonAccountState | null
  emulated: boolean
  finality: TonFinality
}

/** API v3 `Action`. */
export interface TonAction {
  trace_id: string | null
  action_id: string
  start_lt: string
  end_lt: string
  start_utime: number
  end_utime: number
  trace_end_lt: string
  trace_end_utime: number
  trace_mc_seqno_end: number
  transactions: string[]
  success: boolean
  type: string
  details: Record<string, unknown>
  trace_external_hash: string
  trace_external_hash_norm: string
  accounts: string[]
  finality: TonFinality
}

/** A node of the trace tree in `trace` notifications. */
export interface TonTraceNode {
  tx_hash: string
  in_msg_hash: string
  children: TonTraceNode[]
}

/** API v3 `JettonWallet` (as in `jettons_change`). */
export interface TonJettonWallet {
  address: string
  balance: string
  owner: string
  jetton: string
  last_transaction_lt: string
  code_hash: string | null
  data_hash: string | null
}

/** `address_book` entry. */
export interface TonAddressBookEntry {
  user_friendly: string
  domain: string | null
  interfaces: string[]
}

/** `metadata` entry. */
export interface TonAddressMetadata {
  is_indexed: boolean
  token_info: Record<string, unknown>[]
}

/** `address_book`: user-friendly forms of the raw addresses a notification mentions. */
export type TonAddressBook = Record<string, TonAddressBookEntry>
/** `metadata`: token information of the addresses a notification mentions. */
export type TonMetadata = Record<string, TonAddressMetadata>

/** A `transactions` notification: a trace's transactions of the subscribed accounts at one finality. */
export interface TonTransactionsNotification {
  type: 'transactions'
  finality: TonFinality
  trace_external_hash_norm: string
  transactions: TonTransaction[]
  address_book?: TonAddressBook
  metadata?: TonMetadata
}

/** An `actions` notification: a trace's classified actions involving the subscribed accounts. */
export interface TonActionsNotification {
  type: 'actions'
  finality: TonFinality
  trace_external_hash_norm: string
  actions: TonAction[]
  address_book?: TonAddressBook
  metadata?: TonMetadata
}

/** A `trace` notification: a whole subscribed trace (tree and transactions) at one finality. */
export interface TonTraceNotification {
  type: 'trace'
  finality: TonFinality
  trace_external_hash_norm: string
  trace: TonTraceNode
  transactions: Record<string, TonTransaction>
  actions?: TonAction[]
  address_book?: TonAddressBook
  metadata?: TonMetadata
}

/** An `account_state_change` notification: a subscribed account's new state. */
export interface TonAccountStateNotification {
  type: 'account_state_change'
  finality: TonFinality
  account: string
  state: TonAccountState
}

/** A `jettons_change` notification: a jetton wallet of a subscribed account changed. */
export interface TonJettonsNotification {
  type: 'jettons_change'
  finality: TonFinality
  jetton: TonJettonWallet
  address_book?: TonAddressBook
  metadata?: TonMetadata
}

/** A `trace_invalidated` notification: a trace shown below `finalized` was dropped; forget what it showed. */
export interface TonTraceInvalidatedNotification {
  type: 'trace_invalidated'
  trace_external_hash_norm: string
}

/** Every notification the simulator generates. */
export type TonNotification =
  | TonTransactionsNotification
  | TonActionsNotification
  | TonTraceNotification
  | TonAccountStateNotification
  | TonJettonsNotification
  | TonTraceInvalidatedNotification
