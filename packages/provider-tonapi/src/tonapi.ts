import type { FetchLike, LifecycleSourceV1, Logger, WebSocketConstructor } from '@chainstream/core'
import {
  createTonService,
  type TonLifecycleOptions,
  type TonNetwork,
  type TonServiceDefinition,
  type TonStream,
  type TonStreamOptions,
} from '@chainstream/provider-toncenter'

/** Options of {@link createTonapi}. */
export interface TonapiOptions {
  /** A Ton Console (TonAPI) key. */
  apiKey?: string | undefined
  /** Several keys: on `connection limit reached` the stream moves to the next one. */
  apiKeys?: readonly string[]
  /** @default 'mainnet' */
  network?: TonNetwork
  /**
   * The host; streaming is served at `{baseUrl}/streaming/v2/sse` and `/ws` (no `/api` prefix).
   * @default 'https://tonapi.io' (testnet: 'https://testnet.tonapi.io')
   */
  baseUrl?: string | undefined
  /**
   * How the key is sent: `Authorization: Bearer <key>` (`'header'`) or `?token=<key>` (`'query'`). Which one
   * the streaming endpoints accept is not documented; the header is the default. @default 'header'
   */
  authVia?: 'header' | 'query'
  /**
   * Gap recovery reads TON Center API v3 (TonAPI's REST shapes cannot be turned into stream notifications):
   * give a TON Center key, and/or the v3 base URL. Without either, recovery is off and a
   * `recovery-unavailable` diagnostic says so.
   */
  toncenterApiKey?: string | undefined
  /** TON Center API v3 base URL. @default 'https://toncenter.com/api/v3' (testnet host on testnet) when `toncenterApiKey` is given */
  v3BaseUrl?: string | undefined
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** A `fetch` to use instead of undici. */
  fetch?: FetchLike
  /** A WebSocket implementation. @default `ws` */
  WebSocket?: WebSocketConstructor
  /** Default logger of the streams. @default silent */
  logger?: Logger
  /** How `lifecycle` (the cross-chain tracker's source) connects and re-checks traces. */
  lifecycle?: TonLifecycleOptions
}

/** A configured TonAPI client. */
export interface Tonapi {
  readonly providerId: 'tonapi'
  /** The endpoints in use (`v3BaseUrl` only when recovery is available). */
  readonly endpoints: {
    readonly sseUrl: string
    readonly wsUrl: string
    readonly v3BaseUrl: string | undefined
  }
  /**
   * Opens a stream (connecting at once unless `autoStart: false`).
   *
   * @throws {ChainstreamError} `InvalidArgument` / `InvalidSubscription` for invalid options, before any request.
   * @example
   * ```ts
   * const stream = tonapi.stream({ transport: 'websocket', types: ['actions'], addresses: ['EQ…'], actionTypes: ['jetton_transfer'] })
   * stream.on('actions', (event) => console.log(event.actions))
   * ```
   */
  stream(options: TonStreamOptions): TonStream
  /**
   * This client as a lifecycle source for the cross-chain tracker: pass the client itself to
   * `createTracker({ providers: [tonapi] })`. Snapshots and re-checks of tracked traces read TON Center
   * API v3, so give `toncenterApiKey` or `v3BaseUrl`.
   */
  readonly lifecycle: LifecycleSourceV1
}

/**
 * TonAPI as data: its hosts, streaming without the `/api` prefix, Bearer (or `?token=`) authentication,
 * and recovery from TON Center API v3 only when a TON Center key or a v3 URL is given (TonAPI's REST
 * shapes cannot be turned into stream notifications).
 */
export const TONAPI_SERVICE: TonServiceDefinition<'tonapi'> = {
  providerId: 'tonapi',
  providerName: 'TonAPI',
  hosts: { mainnet: 'https://tonapi.io', testnet: 'https://testnet.tonapi.io' },
  streamingPath: '/streaming/v2',
  authHeader: (key) => ({ Authorization: `Bearer ${key}` }),
  queryParam: 'token',
  v3: {
    kind: 'toncenter',
    hosts: { mainnet: 'https://toncenter.com/api/v3', testnet: 'https://testnet.toncenter.com/api/v3' },
  },
}

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
