import type { LifecycleSourceV1 } from '@chainstream/core/provider'
import {
  createTonLifecycleSource,
  type TonLifecycleHost,
  type TonStream,
  type TonStreamOptions,
} from '@chainstream/provider-toncenter'
import { releasedOnClose } from './released-on-close.js'
import type { TonConnector, TonService } from './ton-connector.js'

/** What the lifecycle source needs of a TON config node. */
export interface TonLifecycleClient {
  readonly service: TonService
  readonly transport: 'websocket' | 'sse'
  /** The client, made on first use (throws the configuration error). */
  connector(): TonConnector
  /** Opens a stream on the client, counted and shown by the config node. */
  open(options: Omit<TonStreamOptions, 'transport'>): TonStream
  /** Hands a stream back to the config node, which closes it after the linger. */
  release(stream: TonStream): void
}

/**
 * The cross-chain tracker's source for a TON config node: the provider's own lifecycle source
 * (batching, snapshots and re-checks from API v3, the outcome rules), whose one stream per tracker is
 * opened through the config node — so it rides the client's shared connection with the `ton-stream`
 * nodes, shows in their status, lingers like theirs when its tracker closes (a redeployed `tx-lifecycle`
 * keeps the connection), and is closed with the config node.
 */
export function createConfigLifecycle(client: TonLifecycleClient): LifecycleSourceV1 {
  const host: TonLifecycleHost = {
    providerId: client.service.providerId,
    providerName: client.service.providerName,
    openStream: (options) => releasedOnClose(client.open(options), (stream) => client.release(stream)),
    // Read when a tracker opens its watch, so the client is still made on first use.
    get v3() {
      return client.connector().v3
    },
  }
  // Over the config node's transport: the source changes its set in place only on a WebSocket.
  const source = createTonLifecycleSource(host, { transport: client.transport })
  return {
    ...source,
    // Making the client here refuses a track on a bad configuration before the tracker starts it.
    validateId: (id) => {
      client.connector()
      return source.validateId(id)
    },
  }
}
