import { createToncenter, createV3Client } from '@chainstream/provider-toncenter'
import { checkHttpUrl, type TonConnector, type TonConnectorSettings } from './ton-connector.js'

/**
 * TON Center through `@chainstream/provider-toncenter`: the one place that calls `createToncenter`.
 *
 * @throws when the settings are invalid (a bad URL, a custom network without a base URL).
 */
export function createToncenterConnector(settings: TonConnectorSettings): TonConnector {
  if (settings.network === 'custom' && !settings.baseUrl) {
    throw new Error('TON Center: a custom network needs a base URL')
  }
  const [apiKey, ...more] = settings.apiKeys
  const client = createToncenter({
    ...(apiKey ? { apiKey } : {}),
    ...(more.length > 0 ? { apiKeys: more } : {}),
    ...(settings.network === 'custom'
      ? { baseUrl: checkHttpUrl(settings.baseUrl ?? '', 'Base URL') }
      : { network: settings.network }),
    ...(settings.v3BaseUrl ? { v3BaseUrl: checkHttpUrl(settings.v3BaseUrl, 'API v3 URL') } : {}),
  })
  const v3 = createV3Client({ baseUrl: client.endpoints.v3BaseUrl, apiKey })
  return {
    providerId: 'toncenter',
    providerName: 'TON Center',
    openStream: (options) => client.stream({ ...options, transport: settings.transport }),
    v3,
  }
}
