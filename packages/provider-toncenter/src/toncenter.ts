import {
  type FetchLike,
  type LifecycleSourceV1,
  type Logger,
  parseOptions,
  type WebSocketConstructor,
} from '@chainstream/core'
import { z } from 'zod'
import { normalizeBaseUrl, type TonNetwork, toHttpUrl, toWebSocketUrl } from './endpoints.js'
import type { TonLifecycleOptions } from './lifecycle/lifecycle-options.js'
import { createTonLifecycleSource } from './lifecycle/lifecycle-source.js'
import { createV3Client } from './recovery/v3-client.js'
import type { TonStreamOptions } from './stream-options.js'
import { createTonStreams, type TonStream } from './ton-stream.js'

/** Options of {@link createToncenter}. */
export interface ToncenterOptions {
  /** A TON Center API key (sent as `X-API-Key`). Required by the public hosts for streaming. */
  apiKey?: string | undefined
  /** Several keys: on `connection limit reached` the stream moves to the next one. */
  apiKeys?: readonly string[]
  /** @default 'mainnet' */
  network?: TonNetwork
  /**
   * The host, for self-hosted servers, proxies or the simulator; streaming is served at
   * `{baseUrl}/api/streaming/v2/sse` and `/ws`. @default 'https://toncenter.com' (testnet: 'https://testnet.toncenter.com')
   */
  baseUrl?: string | undefined
  /** TON Center API v3, used by gap recovery. @default `{baseUrl}/api/v3` */
  v3BaseUrl?: string | undefined
  /** Send the key as header (`X-API-Key`) or query (`?api_key=`, for browsers' WebSocket). @default 'header' */
  authVia?: 'header' | 'query'
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** A `fetch` to use for SSE and API v3 instead of undici. */
  fetch?: FetchLike
  /** A WebSocket implementation. @default `ws` */
  WebSocket?: WebSocketConstructor
  /** Default logger of the streams. @default silent */
  logger?: Logger
  /** How `lifecycle` (the cross-chain tracker's source) connects and re-checks traces. */
  lifecycle?: TonLifecycleOptions
}

/** A configured TON Center client. */
export interface Toncenter {
  readonly providerId: 'toncenter'
  /** The endpoints in use. */
  readonly endpoints: { readonly sseUrl: string; readonly wsUrl: string; readonly v3BaseUrl: string }
  /**
   * Opens a stream (connecting at once unless `autoStart: false`).
   *
   * @throws {ChainstreamError} `InvalidArgument` / `InvalidSubscription` for invalid options, before any request.
   * @example
   * ```ts
   * const stream = toncenter.stream({ transport: 'websocket', types: ['transactions'], addresses: ['EQ…'], minFinality: 'confirmed' })
   * stream.on('transactions', (event) => console.log(event.finality, event.transactions.length))
   * ```
   */
  stream(options: TonStreamOptions): TonStream
  /**
   * This client as a lifecycle source for the cross-chain tracker: pass the client itself to
   * `createTracker({ providers: [toncenter] })` and track TON traces by `trace_external_hash_norm`.
   */
  readonly lifecycle: LifecycleSourceV1
}

const HOSTS: Record<TonNetwork, string> = {
  mainnet: 'https://toncenter.com',
  testnet: 'https://testnet.toncenter.com',
}

const optionsSchema = z.strictObject({
  apiKey: z.string().min(1, 'must not be empty').optional(),
  apiKeys: z.array(z.string().min(1, 'must not be empty')).optional(),
  network: z.enum(['mainnet', 'testnet']).optional(),
  baseUrl: z.string().optional(),
  v3BaseUrl: z.string().optional(),
  authVia: z.enum(['header', 'query']).optional(),
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
  const parsed = parseOptions(optionsSchema, options, 'TON Center options')
  const keys = [...(parsed.apiKey ? [parsed.apiKey] : []), ...(parsed.apiKeys ?? [])].filter(
    (key, index, all) => all.indexOf(key) === index,
  )
  const base = toHttpUrl(normalizeBaseUrl(parsed.baseUrl ?? HOSTS[parsed.network ?? 'mainnet'], 'baseUrl'))
  const v3BaseUrl = parsed.v3BaseUrl
    ? toHttpUrl(normalizeBaseUrl(parsed.v3BaseUrl, 'v3BaseUrl'))
    : `${base}/api/v3`
  const endpoints = {
    sseUrl: `${base}/api/streaming/v2/sse`,
    wsUrl: toWebSocketUrl(`${base}/api/streaming/v2/ws`),
    v3BaseUrl,
  }
  const recoverySource = createV3Client({
    baseUrl: v3BaseUrl,
    apiKey: keys[0],
    headers: parsed.headers,
    fetch: parsed.fetch,
  })
  // One set of shared connections per client: every stream, the lifecycle source and Node-RED ride it.
  const streams = createTonStreams({
    providerId: 'toncenter',
    providerName: 'TON Center',
    sseUrl: endpoints.sseUrl,
    wsUrl: endpoints.wsUrl,
    keys,
    auth: {
      via: parsed.authVia ?? 'header',
      header: (key) => ({ 'X-API-Key': key }),
      queryParam: 'api_key',
    },
    headers: parsed.headers,
    fetch: parsed.fetch,
    WebSocket: parsed.WebSocket,
    recoverySource,
    logger: parsed.logger,
  })
  const client: Omit<Toncenter, 'lifecycle'> = {
    providerId: 'toncenter',
    endpoints,
    stream: (streamOptions) => streams.stream(streamOptions),
  }
  const lifecycle = createTonLifecycleSource(
    {
      providerId: 'toncenter',
      providerName: 'TON Center',
      openStream: client.stream,
      v3: recoverySource,
      logger: parsed.logger,
    },
    parsed.lifecycle as TonLifecycleOptions | undefined,
  )
  return { ...client, lifecycle }
}
