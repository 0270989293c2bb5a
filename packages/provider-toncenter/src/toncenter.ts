import { createTonService, type TonServiceClient, type TonServiceOptions } from './ton-service.js'
import { TONCENTER_SERVICE } from './ton-services.js'

/**
 * Options of {@link createToncenter}: those of every TON service. `apiKey` is sent as `X-API-Key` (or
 * `?api_key=` with `authVia: 'query'`); `baseUrl` defaults to `https://toncenter.com`
 * (testnet: `https://testnet.toncenter.com`) with streaming at `{baseUrl}/api/streaming/v2/sse` and `/ws`;
 * `v3BaseUrl` defaults to `{baseUrl}/api/v3`, read with the same keys.
 */
export type ToncenterOptions = TonServiceOptions

/**
 * A configured TON Center client: `stream()` on the client's shared connections, and `lifecycle` for
 * `createTracker({ providers: [toncenter] })`.
 *
 * @example
 * ```ts
 * const stream = toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: ['EQ…'], minFinality: 'confirmed' })
 * stream.on('transactions', (event) => console.log(event.finality, event.transactions.length))
 * ```
 */
export type Toncenter = TonServiceClient<'toncenter', string>

/**
 * TON Center Streaming API v2 over SSE or WebSocket, with gap recovery from TON Center API v3.
 *
 * @throws {ChainstreamError} `InvalidArgument` for invalid options.
 * @example
 * ```ts
 * import { createToncenter } from '@chainstream/provider-toncenter'
 *
 * const toncenter = createToncenter({ apiKey: process.env.TONCENTER_API_KEY })
 * const stream = toncenter.stream({ types: ['transactions', 'actions'], addresses: ['EQ…'], minFinality: 'confirmed' })
 * for await (const event of stream) console.log(event.type, event.finality)
 * ```
 */
export function createToncenter(options: ToncenterOptions = {}): Toncenter {
  return createTonService(TONCENTER_SERVICE, options) as Toncenter
}
