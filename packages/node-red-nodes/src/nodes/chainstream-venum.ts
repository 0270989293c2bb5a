import { shortReason } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
import type { BaseNodeConfig, RedApi, RedNode } from '../red/red-types.js'
import { VenumConnection } from '../solana/venum-connection.js'
import { createVenumClient } from '../solana/venum-connector.js'
import { createVenumLifecycleSource } from '../solana/venum-lifecycle-source.js'
import type { ChainstreamConfigNode } from './config-handles.js'

/** The editor fields of `chainstream-venum`. */
export interface VenumConfigNodeConfig extends BaseNodeConfig {
  baseUrl?: string
  maxStreams?: string | number
}

/** `chainstream-venum`: a Venum client and watch shared by every Solana node that uses it. */
export default function register(RED: RedApi): void {
  function VenumConfigNode(this: RedNode, config: VenumConfigNodeConfig): void {
    RED.nodes.createNode(this, config)
    const maxStreams = Number(config.maxStreams)
    const settings = {
      apiKey: this.credentials?.apiKey?.trim(),
      ...(config.baseUrl?.trim() ? { baseUrl: config.baseUrl.trim() } : {}),
      ...(Number.isInteger(maxStreams) && maxStreams > 0 ? { maxStreams } : {}),
    }
    const connection = new VenumConnection(() => createVenumClient(settings))
    try {
      connection.getClient()
    } catch (error) {
      // Shown by every node using this config as a red status; the constructor must not throw.
      this.error(RED._('chainstream-venum.errors.invalidConfig', { reason: shortReason(error, 200) }))
    }
    ;(this as ChainstreamConfigNode).chainstream = {
      kind: 'venum',
      connection,
      lifecycle: createVenumLifecycleSource(connection),
    }
    this.on('close', (_removed, done) => {
      closeWithin(
        () => connection.close(),
        done,
        (message) => this.warn(message),
      )
    })
  }
  RED.nodes.registerType('chainstream-venum', VenumConfigNode, {
    credentials: { apiKey: { type: 'password' } },
  })
}
