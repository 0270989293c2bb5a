/**
 * The inner objects of TON Streaming v2 notifications. They have the shapes of TON Center API v3 (the same
 * objects the recovery requests return), so one set of types serves both. chainstream passes them through
 * as they arrive — only the fields it reads itself are validated — so every field here is typed as the API
 * documents it, and fields a newer server adds are still present at run time.
 *
 * Amounts, logical times (`lt`) and fees are decimal strings: keep them as strings or convert with
 * `BigInt(...)`, never with `Number(...)`.
 */
import type { ActionType } from './action-types.js'
import type { TonFinality } from './event-types.js'

/** A decimal string holding an integer that may exceed 2^53 (amounts, logical times, fees). */
export type DecimalString = string

/** Extra currencies: currency id → decimal amount. */
export type ExtraCurrencies = Record<string, DecimalString>

/** The content of a message body or init state. */
export interface MessageContent {
  hash: string
  /** The bag of cells, base64. */
  body: string
  /** The indexer's decoding (`{type: 'text_comment', comment}` …), when it recognised the body. */
  decoded?: Record<string, unknown> | null
}

/** An internal or external message (API v3 `Message`). */
export interface Message {
  hash: string
  /** Normalised hash of an external-in message. */
  hash_norm?: string | null
  /** Raw source address; `null` for external-in messages. */
  source: string | null
  /** Raw destination address; `null` for external-out messages. */
  destination: string | null
  value: DecimalString | null
  value_extra_currencies?: ExtraCurrencies | null
  fwd_fee: DecimalString | null
  ihr_fee: DecimalString | null
  import_fee?: DecimalString | null
  created_lt: DecimalString | null
  created_at: DecimalString | number | null
  /** Hex opcode string such as `"0x0f8a7ea5"` (jetton transfer), or `null`. */
  opcode: string | number | null
  ihr_disabled: boolean | null
  bounce: boolean | null
  bounced: boolean | null
  in_msg_tx_hash?: string | null
  out_msg_tx_hash?: string | null
  message_content?: MessageContent | null
  init_state?: MessageContent | null
}

/** The compute phase of a transaction. */
export interface ComputePhase {
  skipped?: boolean
  reason?: string
  success?: boolean
  msg_state_used?: boolean
  account_activated?: boolean
  gas_fees?: DecimalString
  gas_used?: DecimalString
  gas_limit?: DecimalString
  gas_credit?: DecimalString
  mode?: number
  exit_code?: number
  exit_arg?: number
  vm_steps?: number
  vm_init_state_hash?: string
  vm_final_state_hash?: string
}

/** The action phase of a transaction. */
export interface ActionPhase {
  success?: boolean
  valid?: boolean
  no_funds?: boolean
  status_change?: string
  total_fwd_fees?: DecimalString
  total_action_fees?: DecimalString
  result_code?: number
  result_arg?: number
  tot_actions?: number
  spec_actions?: number
  skipped_actions?: number
  msgs_created?: number
  action_list_hash?: string
  tot_msg_size?: { cells: DecimalString; bits: DecimalString }
}

/** What happened in a transaction (API v3 `TransactionDescr`). */
export interface TransactionDescription {
  /** `ord` / `ordinary`, `tick_tock`, … */
  type: string
  aborted?: boolean
  destroyed?: boolean
  credit_first?: boolean
  is_tock?: boolean
  installed?: boolean
  storage_ph?: {
    storage_fees_collected?: DecimalString
    storage_fees_due?: DecimalString
    status_change?: string
  }
  credit_ph?: { due_fees_collected?: DecimalString; credit?: DecimalString }
  compute_ph?: ComputePhase
  action?: ActionPhase
  bounce?: Record<string, unknown>
}

/** An account state reference inside a transaction. */
export interface AccountStateRef {
  hash: string
  balance?: DecimalString | null
  extra_currencies?: ExtraCurrencies | null
  account_status?: string | null
  frozen_hash?: string | null
  data_hash?: string | null
  code_hash?: string | null
}

/** A transaction (API v3 `Transaction`). */
export interface Transaction {
  /** Raw address of the account (`0:HEX`). */
  account: string
  /** Base64 hash. */
  hash: string
  /** Logical time. */
  lt: DecimalString
  /** Unix time (seconds). */
  now: number
  mc_block_seqno?: number | null
  trace_id?: string | null
  /** Set by the streaming server on each transaction; may be higher than the notification's. */
  finality?: TonFinality
  /** Whether the transaction comes from emulation (pending). */
  emulated?: boolean
  prev_trans_hash?: string | null
  prev_trans_lt?: DecimalString | null
  orig_status?: string
  end_status?: string
  total_fees: DecimalString
  total_fees_extra_currencies?: ExtraCurrencies
  description: TransactionDescription
  block_ref?: { workchain: number; shard: string; seqno: number } | null
  in_msg?: Message | null
  out_msgs: Message[]
  account_state_before?: AccountStateRef | null
  account_state_after?: AccountStateRef | null
}

/** A classified action (API v3 `Action`). */
export interface Action {
  /** `null` in early pending snapshots. */
  trace_id: string | null
  /** May change between a pending snapshot and a later one. */
  action_id: string
  /** May change between a pending snapshot and a later one. */
  start_lt: DecimalString
  end_lt: DecimalString
  start_utime: number
  end_utime: number
  trace_end_lt?: DecimalString
  trace_end_utime?: number
  trace_mc_seqno_end?: number
  trace_external_hash?: string
  trace_external_hash_norm?: string
  /** Hashes of the transactions the action spans. */
  transactions: string[]
  success: boolean | null
  type: ActionType
  /** Type-specific details (`source`, `destination`, `amount`, `jetton_master`, …). */
  details: Record<string, unknown>
  /** Raw addresses involved. */
  accounts?: string[]
  finality?: TonFinality
}

/** An account's state as `account_state_change` reports it. */
export interface AccountState {
  hash: string
  balance: DecimalString
  account_status: 'uninit' | 'active' | 'frozen' | 'nonexist' | (string & {})
  data_hash: string | null
  code_hash: string | null
  extra_currencies?: ExtraCurrencies | null
  frozen_hash?: string | null
}

/** A jetton wallet as `jettons_change` reports it (API v3 `JettonWallet`). */
export interface JettonWallet {
  /** Raw address of the jetton wallet. */
  address: string
  balance: DecimalString
  /** Raw address of its owner. */
  owner: string
  /** Raw address of the jetton master. */
  jetton: string
  last_transaction_lt: DecimalString
  code_hash?: string | null
  data_hash?: string | null
  mintless_info?: Record<string, unknown> | null
}

/** One node of a trace tree: a transaction and the transactions its outgoing messages caused. */
export interface TraceNode {
  tx_hash: string
  in_msg_hash: string | null
  children: TraceNode[]
}

/** Address book entry: how to show a raw address. */
export interface AddressBookEntry {
  user_friendly: string
  domain: string | null
  interfaces?: string[]
}

/** Raw address → display information (`include_address_book`). */
export type AddressBook = Record<string, AddressBookEntry>

/** Token information inside {@link Metadata}. */
export interface TokenInfo {
  valid?: boolean
  type?: string
  name?: string
  symbol?: string
  description?: string
  image?: string
  extra?: Record<string, unknown>
}

/** Raw address → indexed token metadata (`include_metadata`). */
export type Metadata = Record<string, { is_indexed: boolean; token_info: TokenInfo[] }>
