import { createTonapi } from '@chainstream/provider-tonapi'
import { createV3Client } from '@chainstream/provider-toncenter'
import {
  commonClientOptions,
  type TonConnector,
  type TonConnectorSettings,
  type TonService,
} from './ton-connector.js'

export const TONAPI: TonService = { providerId: 'tonapi', providerName: 'TonAPI' }

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
  const client = createTonapi({
    ...commonClientOptions(settings, TONAPI),
    ...(settings.toncenterApiKey ? { toncenterApiKey: settings.toncenterApiKey } : {}),
  })
  const v3BaseUrl = client.endpoints.v3BaseUrl
  return {
    stream: (options) => client.stream({ ...options, transport: settings.transport }),
    v3:
      v3BaseUrl === undefined
        ? undefined
        : createV3Client({ baseUrl: v3BaseUrl, apiKey: settings.toncenterApiKey }),
  }
}
