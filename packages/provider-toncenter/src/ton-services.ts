import type { TonServiceDefinition } from './ton-service.js'

// TON Center as data. Other TON Streaming v2 services are data of the same shape (TonAPI's lives in
// @chainstream/provider-tonapi): one implementation serves them all.

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
