import type { RedApi, RedNode } from '../red/red-types.js'
import { createToncenterConnector, TONCENTER } from '../ton/toncenter-adapter.js'
import { setupTonConfigNode, TON_CREDENTIALS, type TonConfigNodeConfig } from './ton-config-node.js'

/** `chainstream-toncenter`: a TON Center client whose connection every TON node using it shares. */
export default function register(RED: RedApi): void {
  function ToncenterConfigNode(this: RedNode, config: TonConfigNodeConfig): void {
    RED.nodes.createNode(this, config)
    setupTonConfigNode(RED, this, config, TONCENTER, createToncenterConnector)
  }
  RED.nodes.registerType('chainstream-toncenter', ToncenterConfigNode, { credentials: TON_CREDENTIALS })
}
