import type { FetchLike, LifecycleSourceV1, Logger, WebSocketConstructor } from '@chainstream/core'
import type { TonNetwork } from './endpoints.js'
import type { TonLifecycleOptions } from './lifecycle/lifecycle-options.js'
import type { TonStreamOptions } from './stream-options.js'
import { createTonService, type TonServiceDefinition } from './ton-service.js'
import type { TonStream } from './ton-stream.js'

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

/** TON Center as data: hosts, paths, authentication, and API v3 on the same host with the same keys. */
export const TONCENTER_SERVICE: TonServiceDefinition<'toncenter'> = {
  providerId: 'toncenter',
  providerName: 'TON Center',
  hosts: { mainnet: 'https://toncenter.com', testnet: 'https://testnet.toncenter.com' },
  streamingPath: '/api/streaming/v2',
  authHeader: (key) => ({ 'X-API-Key': key }),
  queryParam: 'api_key',
  v3: { kind: 'same-host', path: '/api/v3' },
}

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
