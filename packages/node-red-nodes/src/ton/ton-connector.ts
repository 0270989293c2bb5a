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

/** Which TON streaming service a config node talks to, known before any client exists. */
export interface TonService {
  /** `'toncenter'` or `'tonapi'`. */
  readonly providerId: string
  /** For messages: `'TON Center'`, `'TonAPI'`. */
  readonly providerName: string
}

/**
 * A TON provider client as the nodes use it: streams on the client's shared connection, with the
 * configured transport, and API v3 for trace snapshots. Built by the provider adapters, the only files
 * that know the provider packages' factories.
 */
export interface TonConnector {
  /** `client.stream(...)` with the configured transport. */
  stream(options: Omit<TonStreamOptions, 'transport'>): TonStream
  /** TON Center API v3, when configured: snapshots and re-checks of tracked traces. */
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

/** The provider options every TON client takes from a config node (keys, host or network, API v3). */
export function commonClientOptions(settings: TonConnectorSettings, service: TonService) {
  if (settings.network === 'custom' && !settings.baseUrl) {
    throw new Error(`${service.providerName}: a custom network needs a base URL`)
  }
  const [apiKey, ...more] = settings.apiKeys
  return {
    ...(apiKey ? { apiKey } : {}),
    ...(more.length > 0 ? { apiKeys: more } : {}),
    ...(settings.network === 'custom'
      ? { baseUrl: checkHttpUrl(settings.baseUrl ?? '', 'Base URL') }
      : { network: settings.network }),
    ...(settings.v3BaseUrl ? { v3BaseUrl: checkHttpUrl(settings.v3BaseUrl, 'API v3 URL') } : {}),
  }
}
