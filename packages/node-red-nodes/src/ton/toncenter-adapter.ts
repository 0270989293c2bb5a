import { createToncenter, createV3Client } from '@chainstream/provider-toncenter'
import {
  commonClientOptions,
  type TonConnector,
  type TonConnectorSettings,
  type TonService,
} from './ton-connector.js'

export const TONCENTER: TonService = { providerId: 'toncenter', providerName: 'TON Center' }

/**
 * TON Center through `@chainstream/provider-toncenter`: the one place that calls `createToncenter`.
 *
 * @throws when the settings are invalid (a bad URL, a custom network without a base URL).
 */
export function createToncenterConnector(settings: TonConnectorSettings): TonConnector {
  const client = createToncenter(commonClientOptions(settings, TONCENTER))
  return {
    stream: (options) => client.stream({ ...options, transport: settings.transport }),
    v3: createV3Client({ baseUrl: client.endpoints.v3BaseUrl, apiKey: settings.apiKeys[0] }),
  }
}
