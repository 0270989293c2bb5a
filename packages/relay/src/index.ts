/**
 * One upstream for many machines: chainstream events on NATS JetStream, durable consumers, and tracker
 * state in a KV bucket.
 *
 * @module @chainstream/relay
 */

export {
  createRelayClient,
  type RelayClient,
  type RelayClientOptions,
  type RelaySolana,
  type RelayTon,
} from './client.js'
export { DEFAULT_RELAY_NAMES, type RelayNames } from './names.js'
export type { RelayNatsOptions } from './nats-backend.js'
export { createRelay, type Relay, type RelayOptions } from './relay.js'
export type { RelayTonStreamOptions } from './relay-ton.js'
export { type RelayMessage, tonMessages } from './ton-messages.js'
export type { TrackRecord } from './track-record.js'
