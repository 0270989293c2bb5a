import type { TonStream, TonStreamOptions, V3Client } from '@chainstream/provider-toncenter'

/** A TON network, or `custom` for a self-hosted server, a proxy or the local simulator. */
export type TonNetworkChoice = 'mainnet' | 'testnet' | 'custom'

/** What a TON config node is set to (editor fields plus credentials). */
export interface TonConnectorSettings {
  network: TonNetworkChoice
  /** Only for `custom`: the host the streaming paths hang off. */
  baseUrl?: string
  /** TON Center API v3 for gap recovery and trace snapshots; optional. */
  v3BaseUrl?: string
  transport: 'websocket' | 'sse'
  /** The first is used; the others take over on `connection limit reached`. */
  apiKeys: readonly string[]
}

/**
 * One TON streaming service as the nodes see it: how to open a stream, and where trace snapshots come
 * from. Built by the provider adapters, the only files that know the provider packages' factories.
 */
export interface TonConnector {
  /** `'toncenter'` or `'tonapi'`. */
  readonly providerId: string
  /** For messages: `'TON Center'`, `'TonAPI'`. */
  readonly providerName: string
  /** Opens a stream with the configured transport (the caller's options otherwise). */
  openStream(options: Omit<TonStreamOptions, 'transport'>): TonStream
  /** TON Center API v3, when configured: snapshots of tracked traces. */
  readonly v3: V3Client | undefined
}

/** Checks a base URL the way the providers do, for a message that names the field. */
export function checkHttpUrl(value: string, field: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${field} must be an absolute http(s) URL, got "${value}"`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new Error(`${field} must be an http(s) URL, got "${value}"`)
  }
  return url.href.replace(/\/+$/, '')
}
