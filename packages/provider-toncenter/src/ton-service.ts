import type { FetchLike, Logger, WebSocketConstructor } from '@chainstream/core'
import {
  arrayOf,
  custom,
  defaultKeyPlacement,
  type LifecycleSourceV1,
  nonEmptyString,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  recordOf,
  registerChainHint,
  registerSecret,
  string,
} from '@chainstream/core/provider'
import { normalizeBaseUrl, type TonNetwork, toHttpUrl, toWebSocketUrl } from './endpoints.js'
import { KeyRing } from './key-pool.js'
import type { TonLifecycleOptions } from './lifecycle/lifecycle-options.js'
import { createTonLifecycleSource } from './lifecycle/lifecycle-source.js'
import { createV3Client } from './recovery/v3-client.js'
import { LOGGER_CHECK, type TonStreamOptions } from './stream-options.js'
import { createTonStreams, type TonStream, type TonStreamPlacement } from './ton-stream.js'

/**
 * What one TON Streaming v2 service is, as data: its hosts, where streaming is served, how a key is
 * sent, and where gap recovery reads TON Center API v3 from. TON Center and TonAPI are two of these; the
 * protocol, the hub, recovery and the lifecycle source are one implementation ({@link createTonService}).
 */
export interface TonServiceDefinition<Id extends string = string> {
  /** Stable id for logs and the tracker (`'toncenter'`). */
  readonly providerId: Id
  /** Name for messages (`'TON Center'`). */
  readonly providerName: string
  /** How a client is made, for the tracker's "add a provider for chain ton" message. */
  readonly setupHint: string
  /** The default host per network. */
  readonly hosts: Readonly<Record<TonNetwork, string>>
  /** Where streaming is served below the host (`/api/streaming/v2`; `/sse` and `/ws` follow). */
  readonly streamingPath: string
  /** The key as a header (`{ 'X-API-Key': key }`). */
  readonly authHeader: (key: string) => Record<string, string>
  /** The key as a query parameter, for browsers' WebSocket (`api_key`). */
  readonly queryParam: string
  /**
   * Where API v3 is: on the service's own host (`{baseUrl}{path}`, with the service's keys), or only
   * when the user names it (`toncenterApiKey` / `v3BaseUrl`, with TON Center's key).
   */
  readonly v3:
    | { readonly kind: 'same-host'; readonly path: string }
    | { readonly kind: 'toncenter'; readonly hosts: Readonly<Record<TonNetwork, string>> }
}

/** Options every TON service takes (`createToncenter`, `createTonapi`). */
export interface TonServiceOptions {
  /** An API key. Required by the public hosts for streaming. */
  apiKey?: string | undefined
  /** Several keys: on `connection limit reached` the stream moves to the next one. */
  apiKeys?: readonly string[]
  /** @default 'mainnet' */
  network?: TonNetwork
  /** The host, for self-hosted servers, proxies or the simulator. */
  baseUrl?: string | undefined
  /** TON Center API v3, used by gap recovery and the lifecycle source's snapshots. */
  v3BaseUrl?: string | undefined
  /**
   * Send the key as a header or as a query parameter (`api_key` for TON Center, `token` for TonAPI).
   * Browsers cannot set headers on a WebSocket, so there the default is `'query'` — and a key shipped
   * to a browser is public: anyone can read it from the page. The key is redacted from every error and
   * log the library produces.
   * @default 'header' on Node, 'query' in browsers and workers
   */
  authVia?: 'header' | 'query'
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** A `fetch` for SSE and API v3. @default undici on Node, the global `fetch` in browsers and workers */
  fetch?: FetchLike
  /** A WebSocket implementation. @default `ws` on Node, the global `WebSocket` in browsers and workers */
  WebSocket?: WebSocketConstructor
  /** Default logger of the streams. @default silent */
  logger?: Logger
  /** How `lifecycle` (the cross-chain tracker's source) connects and re-checks traces. */
  lifecycle?: TonLifecycleOptions
}

/** A configured client of a TON service. */
export interface TonServiceClient<
  Id extends string = string,
  V3 extends string | undefined = string | undefined,
> {
  readonly providerId: Id
  /** The endpoints in use (`v3BaseUrl` undefined when recovery has no API v3 to read). */
  readonly endpoints: { readonly sseUrl: string; readonly wsUrl: string; readonly v3BaseUrl: V3 }
  /**
   * Opens a stream (connecting at once unless `autoStart: false`), on the client's shared connection for
   * its transport and settings unless `shared: false`.
   *
   * @throws {ChainstreamError} `InvalidArgument` / `InvalidSubscription` for invalid options, before any request.
   */
  stream(options: TonStreamOptions): TonStream
  /**
   * This client as a lifecycle source for the cross-chain tracker: pass the client itself to
   * `createTracker({ providers: [client] })` and track TON traces by `trace_external_hash_norm`.
   */
  readonly lifecycle: LifecycleSourceV1
  /** How many upstream connections the client holds now (open or being opened). */
  readonly connections: number
  /**
   * Closes every connection of the client: its streams end with a `Closed` error, and the tracks of a
   * tracker over the client end (`watch: 'errored'`). Streams opened afterwards connect again.
   */
  close(): Promise<void>
}

const key = nonEmptyString('must not be empty')
const isFunction = (value: unknown) => typeof value === 'function'

const commonShape = {
  apiKey: optional(key),
  apiKeys: optional(arrayOf(key)),
  network: optional(oneOf(['mainnet', 'testnet'])),
  baseUrl: optional(string()),
  v3BaseUrl: optional(string()),
  authVia: optional(oneOf(['header', 'query'])),
  headers: optional(recordOf(string())),
  fetch: optional(custom<FetchLike>(isFunction, 'expected a function')),
  WebSocket: optional(custom<WebSocketConstructor>(isFunction, 'expected a constructor')),
  logger: LOGGER_CHECK,
  // Checked in detail by the lifecycle source.
  lifecycle: optional(recordOf()),
}
const sameHostSchema = optionsObject(commonShape)
const toncenterV3Schema = optionsObject({ ...commonShape, toncenterApiKey: optional(key) })

/**
 * Creates a client of a TON Streaming v2 service: options validated the same way for every service,
 * one key pool per client (the streams and API v3 rotate through the same keys, and each key is
 * registered for redaction once), one set of shared connections, one lifecycle source.
 *
 * @throws {ChainstreamError} `InvalidArgument` naming each bad option.
 */
export function createTonService<Id extends string>(
  definition: TonServiceDefinition<Id>,
  options: TonServiceOptions & { toncenterApiKey?: string | undefined },
): TonServiceClient<Id> {
  const schema = definition.v3.kind === 'toncenter' ? toncenterV3Schema : sameHostSchema
  const parsed = parseOptions(
    schema,
    options ?? {},
    `${definition.providerName} options`,
  ) as TonServiceOptions & {
    toncenterApiKey?: string
  }
  const network = parsed.network ?? 'mainnet'
  registerChainHint('ton', definition.setupHint)
  const keys = [...(parsed.apiKey ? [parsed.apiKey] : []), ...(parsed.apiKeys ?? [])].filter(
    (value, index, all) => all.indexOf(value) === index,
  )
  const ring = new KeyRing(keys)
  const base = toHttpUrl(normalizeBaseUrl(parsed.baseUrl ?? definition.hosts[network], 'baseUrl'))
  const v3BaseUrl = resolveV3BaseUrl(definition, parsed, base, network)
  const endpoints = {
    sseUrl: `${base}${definition.streamingPath}/sse`,
    wsUrl: toWebSocketUrl(`${base}${definition.streamingPath}/ws`),
    v3BaseUrl,
  }
  const v3 =
    v3BaseUrl === undefined
      ? undefined
      : createV3Client({
          baseUrl: v3BaseUrl,
          // On the service's own host API v3 takes the stream's keys, whichever the pool uses now.
          apiKey:
            definition.v3.kind === 'same-host'
              ? () => ring.current
              : () => parsed.toncenterApiKey ?? undefined,
          keyVia: parsed.authVia ?? defaultKeyPlacement(),
          headers: parsed.headers,
          fetch: parsed.fetch,
        })
  // TonAPI's recovery reads TON Center with TON Center's own key: redacted like the others.
  if (parsed.toncenterApiKey !== undefined) registerSecret(parsed.toncenterApiKey)
  const streams = createTonStreams({
    providerId: definition.providerId,
    providerName: definition.providerName,
    sseUrl: endpoints.sseUrl,
    wsUrl: endpoints.wsUrl,
    keys: ring,
    auth: {
      via: parsed.authVia ?? defaultKeyPlacement(),
      header: definition.authHeader,
      queryParam: definition.queryParam,
    },
    headers: parsed.headers,
    fetch: parsed.fetch,
    WebSocket: parsed.WebSocket,
    recoverySource: v3,
    logger: parsed.logger,
  })
  const stream = (streamOptions: TonStreamOptions) => streams.stream(streamOptions)
  const openStream = (streamOptions: TonStreamOptions, placement?: TonStreamPlacement) =>
    streams.stream(streamOptions, placement)
  const lifecycle = createTonLifecycleSource(
    {
      providerId: definition.providerId,
      providerName: definition.providerName,
      openStream,
      v3,
      logger: parsed.logger,
    },
    parsed.lifecycle as TonLifecycleOptions | undefined,
  )
  return {
    providerId: definition.providerId,
    endpoints,
    stream,
    lifecycle,
    get connections() {
      return streams.connections
    },
    close: () => streams.close(),
  }
}

function resolveV3BaseUrl(
  definition: TonServiceDefinition,
  parsed: TonServiceOptions & { toncenterApiKey?: string },
  base: string,
  network: TonNetwork,
): string | undefined {
  if (parsed.v3BaseUrl !== undefined) return toHttpUrl(normalizeBaseUrl(parsed.v3BaseUrl, 'v3BaseUrl'))
  if (definition.v3.kind === 'same-host') return `${base}${definition.v3.path}`
  return parsed.toncenterApiKey !== undefined ? definition.v3.hosts[network] : undefined
}
