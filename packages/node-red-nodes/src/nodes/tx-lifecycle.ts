import type { RedApi, RedNode } from '../red/red-types.js'
import { setupTxLifecycle, type TxLifecycleConfig } from './tx-lifecycle-runtime.js'

/** `tx-lifecycle`: a TON trace or a Solana signature through its finality tiers, one API for both. */
export default function register(RED: RedApi): void {
  function TxLifecycleNode(this: RedNode, config: TxLifecycleConfig): void {
    RED.nodes.createNode(this, config)
    setupTxLifecycle(RED, this, config)
  }
  RED.nodes.registerType('tx-lifecycle', TxLifecycleNode)
}
