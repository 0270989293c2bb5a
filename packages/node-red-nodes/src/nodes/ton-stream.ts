import type { RedApi, RedNode } from '../red/red-types.js'
import { setupTonStream, type TonStreamConfig } from './ton-stream-runtime.js'

/** `ton-stream`: TON Streaming v2 events as messages, with dynamic subscriptions. */
export default function register(RED: RedApi): void {
  function TonStreamNode(this: RedNode, config: TonStreamConfig): void {
    RED.nodes.createNode(this, config)
    setupTonStream(RED, this, config)
  }
  RED.nodes.registerType('ton-stream', TonStreamNode)
}
