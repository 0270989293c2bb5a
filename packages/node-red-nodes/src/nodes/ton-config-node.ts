import { shortReason } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
import { listField } from '../red/list-field.js'
import type { BaseNodeConfig, RedApi, RedNode } from '../red/red-types.js'
import { TonConfigClient } from '../ton/ton-config-client.js'
import type {
  TonConnector,
  TonConnectorSettings,
  TonNetworkChoice,
  TonService,
} from '../ton/ton-connector.js'
import type { ChainstreamConfigNode } from './config-handles.js'

/** The editor fields of the TON config nodes. */
export interface TonConfigNodeConfig extends BaseNodeConfig {
  network?: TonNetworkChoice
  baseUrl?: string
  v3BaseUrl?: string
  transport?: 'websocket' | 'sse'
}

/** The credentials of the TON config nodes (`password`: never sent back to the editor). */
export const TON_CREDENTIALS = {
  apiKey: { type: 'password' },
  extraApiKeys: { type: 'password' },
} as const

/**
 * Wires a TON config node: one provider client, made when a node first needs it, whose streams close
 * with the config node. A wrong setting never throws here: it is logged when the client is made, and
 * every node using this config shows it as a red status.
 */
export function setupTonConfigNode(
  RED: RedApi,
  node: RedNode,
  config: TonConfigNodeConfig,
  service: TonService,
  connect: (settings: TonConnectorSettings) => TonConnector,
): TonConfigClient {
  const settings: TonConnectorSettings = {
    network: config.network ?? 'mainnet',
    transport: config.transport === 'sse' ? 'sse' : 'websocket',
    apiKeys: [...listField(node.credentials?.apiKey), ...listField(node.credentials?.extraApiKeys)],
    ...(config.baseUrl?.trim() ? { baseUrl: config.baseUrl.trim() } : {}),
    ...(config.v3BaseUrl?.trim() ? { v3BaseUrl: config.v3BaseUrl.trim() } : {}),
  }
  const client = new TonConfigClient({
    service,
    transport: settings.transport,
    connect: () => connect(settings),
    onInvalid: (error) =>
      node.error(RED._(`${config.type}.errors.invalidConfig`, { reason: shortReason(error, 200) })),
  })
  ;(node as ChainstreamConfigNode).chainstream = { kind: 'ton', client }
  node.on('close', (_removed, done) => {
    closeWithin(
      () => client.close(),
      done,
      (message) => node.warn(message),
    )
  })
  return client
}
