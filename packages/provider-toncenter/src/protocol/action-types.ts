/**
 * The 22 action types the TON Streaming API v2 documents. The server's classifier knows more, depending on
 * its version (`supported_action_types`), so {@link ActionType} also accepts any other string.
 */
export const ACTION_TYPES = [
  'ton_transfer',
  'jetton_transfer',
  'jetton_swap',
  'jetton_burn',
  'jetton_mint',
  'nft_mint',
  'call_contract',
  'contract_deploy',
  'stake_deposit',
  'stake_withdrawal',
  'stake_withdrawal_request',
  'dex_deposit_liquidity',
  'dex_withdraw_liquidity',
  'election_deposit',
  'election_recover',
  'auction_bid',
  'change_dns',
  'delete_dns',
  'renew_dns',
  'tick_tock',
  'subscribe',
  'unsubscribe',
] as const

/** One of the 22 documented {@link ACTION_TYPES}. */
export type KnownActionType = (typeof ACTION_TYPES)[number]

/**
 * An action type: a documented one (autocompleted) or any other string the server's classifier emits.
 *
 * @example
 * ```ts
 * const filter: ActionType[] = ['jetton_transfer', 'nft_transfer']
 * ```
 */
export type ActionType = KnownActionType | (string & {})

const KNOWN: ReadonlySet<string> = new Set(ACTION_TYPES)

/** Whether `type` is one of the 22 documented action types. */
export function isKnownActionType(type: string): type is KnownActionType {
  return KNOWN.has(type)
}
