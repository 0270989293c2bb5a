import { shortReason } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
import type { BaseNodeConfig, RedApi, RedNode } from '../red/red-types.js'
import { VenumConfigClient } from '../solana/venum-config-client.js'
import { createVenumClient } from '../solana/venum-connector.js'
import type { ChainstreamConfigNode } from './config-handles.js'

/** The editor fields of `chainstream-venum`. */
export interface VenumConfigNodeConfig extends BaseNodeConfig {
  baseUrl?: string
  maxStreams?: string | number
}

/** `chainstream-venum`: a Venum client whose streams every Solana node using it shares. */
export default function register(RED: RedApi): void {
  function VenumConfigNode(this: RedNode, config: VenumConfigNodeConfig): void {
    RED.nodes.createNode(this, config)
    const maxStreams = Number(config.maxStreams)
    const settings = {
      apiKey: this.credentials?.apiKey?.trim(),
      ...(config.baseUrl?.trim() ? { baseUrl: config.baseUrl.trim() } : {}),
      ...(Number.isInteger(maxStreams) && maxStreams > 0 ? { maxStreams } : {}),
    }
    // A wrong setting never throws here: it is logged when the client is first needed, and shown red by
    // every node using this config.
    const client = new VenumConfigClient(
      () => createVenumClient(settings),
      (error) =>
        this.error(RED._('chainstream-venum.errors.invalidConfig', { reason: shortReason(error, 200) })),
    )
    ;(this as ChainstreamConfigNode).chainstream = { kind: 'venum', client }
    this.on('close', (_removed, done) => {
      closeWithin(
        () => client.close(),
        done,
        (message) => this.warn(message),
      )
    })
  }
  RED.nodes.registerType('chainstream-venum', VenumConfigNode, {
    credentials: { apiKey: { type: 'password' } },
  })
}
