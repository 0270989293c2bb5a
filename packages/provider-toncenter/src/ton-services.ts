import type { TonServiceDefinition } from './ton-service.js'

// The TON Streaming v2 services this package knows, as data: one implementation serves both.

/** TON Center as data: hosts, paths, authentication, and API v3 on the same host with the same keys. */
export const TONCENTER_SERVICE: TonServiceDefinition<'toncenter'> = {
  providerId: 'toncenter',
  providerName: 'TON Center',
  setupHint: "createToncenter({ apiKey }) from '@chainstream/provider-toncenter'",
  hosts: { mainnet: 'https://toncenter.com', testnet: 'https://testnet.toncenter.com' },
  streamingPath: '/api/streaming/v2',
  authHeader: (key) => ({ 'X-API-Key': key }),
  queryParam: 'api_key',
  v3: { kind: 'same-host', path: '/api/v3' },
}

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
