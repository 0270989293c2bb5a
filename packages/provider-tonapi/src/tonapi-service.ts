import type { TonServiceDefinition } from '@chainstream/provider-toncenter'

/**
 * TonAPI as data: its hosts, streaming without the `/api` prefix, Bearer (or `?token=`) authentication,
 * and recovery from TON Center API v3 only when a TON Center key or a v3 URL is given (TonAPI's REST
 * shapes cannot be turned into stream notifications).
 */
export const TONAPI_SERVICE: TonServiceDefinition<'tonapi'> = {
  providerId: 'tonapi',
  providerName: 'TonAPI',
  setupHint: "createTonapi({ apiKey }) from '@chainstream/provider-tonapi'",
  hosts: { mainnet: 'https://tonapi.io', testnet: 'https://testnet.tonapi.io' },
  streamingPath: '/streaming/v2',
  authHeader: (key) => ({ Authorization: `Bearer ${key}` }),
  queryParam: 'token',
  v3: {
    kind: 'toncenter',
    hosts: { mainnet: 'https://toncenter.com/api/v3', testnet: 'https://testnet.toncenter.com/api/v3' },
  },
}
