import type { FetchLike, Logger, ReconnectPolicy } from '@chainstream/core'
import {
  above,
  boolean,
  type Check,
  custom,
  defaultKeyPlacement,
  finiteNumber,
  integer,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  recordOf,
  registerSecret,
  silentLogger,
  string,
} from '@chainstream/core/provider'

/** Where Venum's API lives. */
export const VENUM_BASE_URL = 'https://api.venum.dev'

/** Options of {@link createVenum}. */
export interface VenumOptions {
  /** Your Venum API key. Sent as the `x-api-key` header (see `auth`); never logged. */
  apiKey: string
  /** The API's base URL (a proxy, or a local simulator in tests). @default 'https://api.venum.dev' */
  baseUrl?: string
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** A `fetch`-compatible function for every request. @default undici on Node, the global `fetch` elsewhere */
  fetch?: FetchLike
  /**
   * How the key is sent: `'header'` (`x-api-key`) or `'query'` (`?apiKey=`). **`'query'` is for
   * browsers only**, where `EventSource` cannot set headers: a key in a URL ends up in proxy and server
   * logs, and a key shipped to a browser is public (anyone can read it from the page). Anywhere a header
   * works, keep the default. The key is redacted from every error and log the library produces.
   * @default 'header' on Node, 'query' in browsers and workers
   */
  auth?: 'header' | 'query'
  /**
   * At most this many SSE streams at once, over every watch, wait and tracker of this client (each
   * carries up to 10 signatures). More signatures than fit wait in a queue and get a stream as others
   * complete. Venum counts streams against your plan's connection limit, which it does not publish: keep
   * this below it.
   * @default 10
   */
  maxStreams?: number
  /**
   * Whether every consumer of this client — each `watch()`, every `waitFor` and the tracker's lifecycle
   * watch — rides one pool of streams. A signature then rides at most one stream, however many of them
   * watch it, so `n` distinct signatures need `ceil(n / 10)` streams. Shared streams ask Venum for every
   * tier, and each consumer ends its own story at its own target; a landed-only watch therefore sees
   * Venum's `verify-timeout` instead of the landed-only `timeout` (both mean the outcome is unknown).
   *
   * `false`: each `watch()` opens streams of its own asking for exactly its `events` (the waits of the
   * client share one set, the tracker's watch another), as before the pool existed.
   * @default true
   */
  shared?: boolean
  /**
   * Silence on a stream for this long means the connection is dead: reconnect and take a snapshot.
   * Venum sends a heartbeat about every 15 s. `0` disables the watchdog.
   * @default 45_000
   */
  heartbeatTimeoutMs?: number
  /** Reconnect policy of every stream (capped exponential backoff with full jitter). */
  reconnect?: Partial<ReconnectPolicy>
  /**
   * While Venum answers 503 (commitment-tier polling unavailable), every watched signature is looked up
   * with `GET /v1/tx/:signature` this often.
   * @default 2_000
   */
  pollIntervalMs?: number
  /** Upper bound on those fallback lookups per second, over the whole client. @default 10 */
  maxPollsPerSecond?: number
  /** After a 503, the stream is tried again no sooner than this. @default 15_000 */
  unavailableRetryMs?: number
  /** Where debug output goes. @default silent */
  logger?: Logger
  /** Random source for every jitter (tests pin it). @default Math.random */
  random?: () => number
}

/** The options after validation, with every default applied. */
export interface VenumConfig {
  readonly apiKey: string
  readonly baseUrl: string
  /** Headers of every request, the key included when `auth` is `'header'`. */
  readonly headers: Readonly<Record<string, string>>
  readonly auth: 'header' | 'query'
  readonly fetch: FetchLike | undefined
  readonly maxStreams: number
  readonly shared: boolean
  readonly heartbeatTimeoutMs: number
  readonly reconnect: Partial<ReconnectPolicy> | undefined
  readonly pollIntervalMs: number
  readonly maxPollsPerSecond: number
  readonly unavailableRetryMs: number
  readonly logger: Logger
  readonly random: () => number
}

const fn = <T>(what: string) =>
  optional(custom<T>((value) => typeof value === 'function', `${what} must be a function`))
// Every number here is finite.
const atLeast = (min: number) => optional(finiteNumber(min))

/** The key, trimmed: a key pasted with a newline would otherwise be refused by the server. */
const apiKey: Check<string> = (value, path, issues) => {
  const key =
    typeof value === 'string'
      ? value.trim()
      : 'apiKey is required: pass your Venum API key (for example process.env.VENUM_API_KEY)'
  if (typeof value !== 'string' || key === '') {
    issues.push({
      path,
      message: typeof value === 'string' ? 'apiKey is empty: pass your Venum API key' : key,
    })
  }
  return key
}

/** An absolute http(s) URL. */
const isHttpUrl = (value: unknown) => {
  if (typeof value !== 'string' || !/^https?:/i.test(value)) return false
  try {
    return new URL(value).host !== undefined
  } catch {
    return false
  }
}
// A policy field may be `Infinity` (`maxAttempts`); the policy itself is checked when a stream opens.
const policyNumber = custom<number>(
  (value) => typeof value === 'number' && !Number.isNaN(value),
  'expected a number',
)

const schema = optionsObject({
  apiKey,
  baseUrl: optional(custom<string>(isHttpUrl, 'baseUrl must be an http(s) URL')),
  headers: optional(recordOf(string())),
  fetch: fn<FetchLike>('fetch'),
  auth: optional(oneOf(['header', 'query'])),
  maxStreams: optional(integer(1)),
  shared: optional(boolean('shared must be true or false')),
  heartbeatTimeoutMs: atLeast(0),
  reconnect: optional(recordOf(policyNumber)),
  pollIntervalMs: atLeast(10),
  maxPollsPerSecond: optional(above(0)),
  unavailableRetryMs: atLeast(0),
  logger: optional(
    custom<Logger>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Logger).warn === 'function',
      'logger must have debug, info, warn and error methods',
    ),
  ),
  random: fn<() => number>('random'),
})

/** Validates {@link VenumOptions} (throws `InvalidArgument` naming each bad field) and applies defaults. */
export function resolveVenumOptions(options: VenumOptions): VenumConfig {
  const parsed = parseOptions(schema, options, 'Venum options')
  registerSecret(parsed.apiKey)
  const auth = parsed.auth ?? defaultKeyPlacement()
  const headers: Record<string, string> = { ...parsed.headers }
  // The key is ours to place: a caller's `x-api-key` header must not send a second, different key.
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'x-api-key') delete headers[name]
  if (auth === 'header') headers['x-api-key'] = parsed.apiKey
  const logger = parsed.logger ?? silentLogger
  // Where query is the only way (a browser), saying so on every client would only be noise.
  if (auth === 'query' && defaultKeyPlacement() === 'header') {
    logger.warn("auth: 'query' puts the API key into request URLs; use it only where headers cannot be set")
  }
  return {
    apiKey: parsed.apiKey,
    baseUrl: (parsed.baseUrl ?? VENUM_BASE_URL).replace(/\/+$/, ''),
    headers,
    auth,
    fetch: parsed.fetch,
    maxStreams: parsed.maxStreams ?? 10,
    shared: parsed.shared ?? true,
    heartbeatTimeoutMs: parsed.heartbeatTimeoutMs ?? 45_000,
    reconnect: parsed.reconnect as Partial<ReconnectPolicy> | undefined,
    pollIntervalMs: parsed.pollIntervalMs ?? 2_000,
    maxPollsPerSecond: parsed.maxPollsPerSecond ?? 10,
    unavailableRetryMs: parsed.unavailableRetryMs ?? 15_000,
    logger,
    random: parsed.random ?? Math.random,
  }
}

/** The URL of a `/v1/stream/tx` stream for these signatures and tiers. */
export function streamUrl(
  config: VenumConfig,
  signatures: readonly string[],
  events: readonly string[],
): string {
  const url = new URL(`${config.baseUrl}/v1/stream/tx`)
  // Base58 and tier names need no escaping; keeping commas literal keeps URLs readable in logs.
  let query = `signatures=${signatures.join(',')}&events=${events.join(',')}`
  if (config.auth === 'query') query += `&apiKey=${encodeURIComponent(config.apiKey)}`
  url.search = query
  return url.href
}

/** The URL of `GET /v1/tx/:signature`. */
export function txUrl(config: VenumConfig, signature: string): string {
  const url = new URL(`${config.baseUrl}/v1/tx/${encodeURIComponent(signature)}`)
  if (config.auth === 'query') url.searchParams.set('apiKey', config.apiKey)
  return url.href
}
