import type { RedApi, RedNode } from '../red/red-types.js'
import { type SolanaTxStatusConfig, setupSolanaTxStatus } from './solana-tx-status-runtime.js'

/** `solana-tx-status`: Solana signatures in, Venum status updates out. */
export default function register(RED: RedApi): void {
  function SolanaTxStatusNode(this: RedNode, config: SolanaTxStatusConfig): void {
    RED.nodes.createNode(this, config)
    setupSolanaTxStatus(RED, this, config)
  }
  RED.nodes.registerType('solana-tx-status', SolanaTxStatusNode)
}
