import {
  type FetchLike,
  type LifecycleSourceV1,
  type Logger,
  parseOptions,
  type WebSocketConstructor,
} from '@chainstream/core'
import {
  createTonLifecycleSource,
  createTonStreams,
  createV3Client,
  normalizeBaseUrl,
  type TonLifecycleOptions,
  type TonNetwork,
  type TonStream,
  type TonStreamOptions,
  toHttpUrl,
  toWebSocketUrl,
} from '@chainstream/provider-toncenter'
import { z } from 'zod'

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

const HOSTS: Record<TonNetwork, string> = {
  mainnet: 'https://tonapi.io',
  testnet: 'https://testnet.tonapi.io',
}
const TONCENTER_V3: Record<TonNetwork, string> = {
  mainnet: 'https://toncenter.com/api/v3',
  testnet: 'https://testnet.toncenter.com/api/v3',
}

const url = z.url({ protocol: /^(https?|wss?)$/, error: 'must be an absolute http(s) URL' })

const optionsSchema = z.strictObject({
  apiKey: z.string().min(1, 'must not be empty').optional(),
  apiKeys: z.array(z.string().min(1, 'must not be empty')).optional(),
  network: z.enum(['mainnet', 'testnet']).optional(),
  baseUrl: url.optional(),
  authVia: z.enum(['header', 'query']).optional(),
  toncenterApiKey: z.string().min(1, 'must not be empty').optional(),
  v3BaseUrl: url.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fetch: z.custom<FetchLike>((value) => typeof value === 'function', 'expected a function').optional(),
  WebSocket: z
    .custom<WebSocketConstructor>((value) => typeof value === 'function', 'expected a constructor')
    .optional(),
  logger: z
    .custom<Logger>((value) => typeof value === 'object' && value !== null, 'expected a logger')
    .optional(),
  // Checked in detail by the lifecycle source.
  lifecycle: z.record(z.string(), z.unknown()).optional(),
})

/**
 * TonAPI Streaming API v2 over SSE or WebSocket — the same protocol as TON Center (the codec is shared),
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
  const parsed = parseOptions(optionsSchema, options, 'TonAPI options')
  const network = parsed.network ?? 'mainnet'
  const keys = [...(parsed.apiKey ? [parsed.apiKey] : []), ...(parsed.apiKeys ?? [])].filter(
    (key, index, all) => all.indexOf(key) === index,
  )
  const base = toHttpUrl(normalizeBaseUrl(parsed.baseUrl ?? HOSTS[network], 'baseUrl'))
  const v3BaseUrl =
    parsed.v3BaseUrl !== undefined
      ? toHttpUrl(normalizeBaseUrl(parsed.v3BaseUrl, 'v3BaseUrl'))
      : parsed.toncenterApiKey !== undefined
        ? TONCENTER_V3[network]
        : undefined
  const endpoints = {
    sseUrl: `${base}/streaming/v2/sse`,
    wsUrl: toWebSocketUrl(`${base}/streaming/v2/ws`),
    v3BaseUrl,
  }
  const recoverySource =
    v3BaseUrl === undefined
      ? undefined
      : createV3Client({ baseUrl: v3BaseUrl, apiKey: parsed.toncenterApiKey, fetch: parsed.fetch })
  // One set of shared connections per client: every stream, the lifecycle source and Node-RED ride it.
  const streams = createTonStreams({
    providerId: 'tonapi',
    providerName: 'TonAPI',
    sseUrl: endpoints.sseUrl,
    wsUrl: endpoints.wsUrl,
    keys,
    auth: {
      via: parsed.authVia ?? 'header',
      header: (key) => ({ Authorization: `Bearer ${key}` }),
      queryParam: 'token',
    },
    headers: parsed.headers,
    fetch: parsed.fetch,
    WebSocket: parsed.WebSocket,
    recoverySource,
    logger: parsed.logger,
  })
  const client: Omit<Tonapi, 'lifecycle'> = {
    providerId: 'tonapi',
    endpoints,
    stream: (streamOptions) => streams.stream(streamOptions),
  }
  const lifecycle = createTonLifecycleSource(
    {
      providerId: 'tonapi',
      providerName: 'TonAPI',
      openStream: client.stream,
      v3: recoverySource,
      logger: parsed.logger,
    },
    parsed.lifecycle as TonLifecycleOptions | undefined,
  )
  return { ...client, lifecycle }
}
