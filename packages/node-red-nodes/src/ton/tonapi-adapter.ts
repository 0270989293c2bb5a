import { createTonapi } from '@chainstream/provider-tonapi'
import { createV3Client } from '@chainstream/provider-toncenter'
import { checkHttpUrl, type TonConnector, type TonConnectorSettings } from './ton-connector.js'

/** TonAPI settings: TON Center API v3 is optional and serves gap recovery and trace snapshots. */
export interface TonapiConnectorSettings extends TonConnectorSettings {
  /** A TON Center key, for API v3 (recovery); its v3 URL defaults to TON Center's for the network. */
  toncenterApiKey?: string
}

/**
 * TonAPI through `@chainstream/provider-tonapi`: the one place that calls `createTonapi`.
 *
 * @throws when the settings are invalid (a bad URL, a custom network without a base URL).
 */
export function createTonapiConnector(settings: TonapiConnectorSettings): TonConnector {
  if (settings.network === 'custom' && !settings.baseUrl) {
    throw new Error('TonAPI: a custom network needs a base URL')
  }
  const [apiKey, ...more] = settings.apiKeys
  const client = createTonapi({
    ...(apiKey ? { apiKey } : {}),
    ...(more.length > 0 ? { apiKeys: more } : {}),
    ...(settings.network === 'custom'
      ? { baseUrl: checkHttpUrl(settings.baseUrl ?? '', 'Base URL') }
      : { network: settings.network }),
    ...(settings.v3BaseUrl ? { v3BaseUrl: checkHttpUrl(settings.v3BaseUrl, 'API v3 URL') } : {}),
    ...(settings.toncenterApiKey ? { toncenterApiKey: settings.toncenterApiKey } : {}),
  })
  const v3BaseUrl = client.endpoints.v3BaseUrl
  return {
    providerId: 'tonapi',
    providerName: 'TonAPI',
    openStream: (options) => client.stream({ ...options, transport: settings.transport }),
    v3:
      v3BaseUrl === undefined
        ? undefined
        : createV3Client({ baseUrl: v3BaseUrl, apiKey: settings.toncenterApiKey }),
  }
}
