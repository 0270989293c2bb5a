import { shortReason } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
import { listField } from '../red/list-field.js'
import type { BaseNodeConfig, RedApi, RedNode } from '../red/red-types.js'
import { TonConnection } from '../ton/ton-connection.js'
import type { TonConnector, TonConnectorSettings, TonNetworkChoice } from '../ton/ton-connector.js'
import { createTonLifecycleSource } from '../ton/ton-lifecycle-source.js'
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
 * Wires a TON config node: one lazily created shared connection, closed with the node. A wrong setting
 * never throws here: it is logged, and every node using this config shows it as a red status.
 */
export function setupTonConfigNode(
  RED: RedApi,
  node: RedNode,
  config: TonConfigNodeConfig,
  createConnector: (settings: TonConnectorSettings) => TonConnector,
): TonConnection {
  const settings: TonConnectorSettings = {
    network: config.network ?? 'mainnet',
    transport: config.transport === 'sse' ? 'sse' : 'websocket',
    apiKeys: [...listField(node.credentials?.apiKey), ...listField(node.credentials?.extraApiKeys)],
    ...(config.baseUrl?.trim() ? { baseUrl: config.baseUrl.trim() } : {}),
    ...(config.v3BaseUrl?.trim() ? { v3BaseUrl: config.v3BaseUrl.trim() } : {}),
  }
  const connection = new TonConnection(() => createConnector(settings))
  try {
    connection.getConnector()
  } catch (error) {
    node.error(RED._(`${config.type}.errors.invalidConfig`, { reason: shortReason(error, 200) }))
    connection.state.set('error', shortReason(error))
  }
  ;(node as ChainstreamConfigNode).chainstream = {
    kind: 'ton',
    connection,
    lifecycle: createTonLifecycleSource(connection),
  }
  node.on('close', (_removed, done) => {
    closeWithin(
      () => connection.close(),
      done,
      (message) => node.warn(message),
    )
  })
  return connection
}
