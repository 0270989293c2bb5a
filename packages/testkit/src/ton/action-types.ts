/** The 22 documented action types, the ones the scenario draws from. */
export const DOCUMENTED_ACTION_TYPES: readonly string[] = [
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
]

// The first classifier version. The server always allows these, whatever `supported_action_types` says.
const V1: readonly string[] = [
  ...DOCUMENTED_ACTION_TYPES.filter((t) => t !== 'tick_tock'),
  'nft_transfer',
  'tick_tock',
]

// Group shortcuts. Version shortcuts newer than v1 (and `latest`) only add types the simulator never
// generates on its own, so they are modelled as "everything".
const GROUPS: Record<string, readonly string[]> = {
  v1: V1,
  staking: ['stake_deposit', 'stake_withdrawal', 'stake_withdrawal_request'],
  jettons: ['jetton_transfer', 'jetton_burn', 'jetton_mint'],
  nft: ['nft_transfer', 'nft_mint', 'auction_bid'],
  dns: ['change_dns', 'delete_dns', 'renew_dns', 'dns_purchase', 'dns_release'],
}
const EVERYTHING = new Set(['v2', 'v3', 'v4', 'v5', 'latest', 'nft.v3', 'dns.v2'])

/** The action types a `supported_action_types` list lets through; `'all'` when it admits every type. */
export type SupportedActionTypes = ReadonlySet<string> | 'all'

/** Expands `supported_action_types` shortcuts the way the server does (v1 types are always included). */
export function expandSupportedActionTypes(requested: readonly string[]): SupportedActionTypes {
  if (requested.some((name) => EVERYTHING.has(name))) return 'all'
  const out = new Set<string>(V1)
  for (const name of requested) for (const type of GROUPS[name] ?? [name]) out.add(type)
  return out
}

/** Whether an action of `type` passes a subscription's `action_types` and `supported_action_types`. */
export function actionTypeAllowed(
  type: string,
  actionTypes: readonly string[],
  supported: SupportedActionTypes,
): boolean {
  if (actionTypes.length > 0 && !actionTypes.includes(type)) return false
  return supported === 'all' || supported.has(type)
}
