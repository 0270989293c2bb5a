import {
  createTonService,
  type TonServiceClient,
  type TonServiceOptions,
} from '@chainstream/provider-toncenter'
import { TONAPI_SERVICE } from './tonapi-service.js'

/**
 * Options of {@link createTonapi}: those of every TON service, plus `toncenterApiKey`. `apiKey` is a Ton
 * Console key sent as `Authorization: Bearer` (or `?token=` with `authVia: 'query'`; which one the
 * streaming endpoints accept is not documented, the header is the default); `baseUrl` defaults to
 * `https://tonapi.io` (testnet: `https://testnet.tonapi.io`) with streaming at `{baseUrl}/streaming/v2/sse`
 * and `/ws` (no `/api` prefix).
 */
export interface TonapiOptions extends TonServiceOptions {
  /**
   * Gap recovery reads TON Center API v3 (TonAPI's REST shapes cannot be turned into stream
   * notifications): give a TON Center key (then `v3BaseUrl` defaults to `https://toncenter.com/api/v3`, the
   * testnet host on testnet) and/or `v3BaseUrl`. Without either, recovery is off and a
   * `recovery-unavailable` diagnostic says so.
   */
  toncenterApiKey?: string | undefined
}

/**
 * A configured TonAPI client: `stream()` on the client's shared connections, and `lifecycle` for
 * `createTracker({ providers: [tonapi] })` (its snapshots read TON Center API v3, so give
 * `toncenterApiKey` or `v3BaseUrl`). `endpoints.v3BaseUrl` is set only when recovery is available.
 *
 * @example
 * ```ts
 * const stream = tonapi.stream({ transport: 'websocket', types: ['actions'], addresses: ['EQ…'], actionTypes: ['jetton_transfer'] })
 * stream.on('actions', (event) => console.log(event.actions))
 * ```
 */
export type Tonapi = TonServiceClient<'tonapi', string | undefined>

/**
 * TonAPI Streaming API v2 over SSE or WebSocket — the same protocol and implementation as TON Center,
 * with TonAPI's endpoints and authentication. Gap recovery uses TON Center API v3 when configured.
 *
 * @throws {ChainstreamError} `InvalidArgument` for invalid options.
 * @example
 * ```ts
 * import { createTonapi } from '@chainstream/provider-tonapi'
 *
 * const tonapi = createTonapi({ apiKey: process.env.TONAPI_API_KEY, toncenterApiKey: process.env.TONCENTER_API_KEY })
 * const stream = tonapi.stream({ types: ['transactions'], addresses: ['EQ…'], minFinality: 'confirmed' })
 * for await (const event of stream) console.log(event.type, event.finality)
 * ```
 */
export function createTonapi(options: TonapiOptions = {}): Tonapi {
  return createTonService(TONAPI_SERVICE, options) as Tonapi
}
