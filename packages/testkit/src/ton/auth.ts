import type { IncomingHttpHeaders } from 'node:http'
import type { TonFlavour } from './routes.js'

/** Limits of one accepted API key. */
export interface TonKeyLimits {
  /** Parallel streaming sessions (SSE + WebSocket). `-1` = unlimited. @default 2 */
  maxConnections?: number
  /** Addresses per subscription. `-1` = unlimited. @default 1000 */
  maxAddresses?: number
}

/** A key's limits with defaults applied. */
export interface ResolvedLimits {
  maxConnections: number
  maxAddresses: number
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * The key a request carries, read the way its flavour is documented: TON Center `X-API-Key` then
 * `?api_key=`; TonAPI `Authorization: Bearer` then `?token=`. `undefined` when there is none.
 */
export function extractKey(flavour: TonFlavour, headers: IncomingHttpHeaders, url: URL): string | undefined {
  if (flavour === 'toncenter') {
    const fromHeader = header(headers, 'x-api-key')
    if (fromHeader) return fromHeader
    return url.searchParams.get('api_key') || undefined
  }
  const authorization = header(headers, 'authorization')
  const bearer = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null
  if (bearer) return (bearer[1] as string).trim()
  return url.searchParams.get('token') || undefined
}

/** Resolves keys against the configured set; without one, any non-empty key is valid with the defaults. */
export class KeyRegistry {
  readonly #keys: ReadonlyMap<string, TonKeyLimits> | undefined

  constructor(keys: Record<string, TonKeyLimits> | undefined) {
    this.#keys = keys ? new Map(Object.entries(keys)) : undefined
  }

  /** The key's limits, or `undefined` for a key the gateway does not know. */
  limits(key: string): ResolvedLimits | undefined {
    const configured = this.#keys ? this.#keys.get(key) : {}
    if (configured === undefined) return undefined
    return { maxConnections: configured.maxConnections ?? 2, maxAddresses: configured.maxAddresses ?? 1000 }
  }
}
