import type { RedApi, RedNode } from '../red/red-types.js'
import { createTonapiConnector, TONAPI } from '../ton/tonapi-adapter.js'
import { setupTonConfigNode, TON_CREDENTIALS, type TonConfigNodeConfig } from './ton-config-node.js'

/** `chainstream-tonapi`: a TonAPI client whose connection every TON node using it shares. */
export default function register(RED: RedApi): void {
  function TonapiConfigNode(this: RedNode, config: TonConfigNodeConfig): void {
    RED.nodes.createNode(this, config)
    const toncenterApiKey = this.credentials?.toncenterApiKey?.trim()
    setupTonConfigNode(RED, this, config, TONAPI, (settings) =>
      createTonapiConnector({ ...settings, ...(toncenterApiKey ? { toncenterApiKey } : {}) }),
    )
  }
  RED.nodes.registerType('chainstream-tonapi', TonapiConfigNode, {
    credentials: { ...TON_CREDENTIALS, toncenterApiKey: { type: 'password' } },
  })
}
