import type { IncomingHttpHeaders } from 'node:http'

/** The API key of a request and where it came from (the header wins when both are present). */
export interface RequestKey {
  readonly key: string | undefined
  readonly auth: 'header' | 'query' | 'none'
}

/** Reads the key from `x-api-key` (server-side clients) or `?apiKey=` (browser `EventSource`). */
export function requestKey(headers: IncomingHttpHeaders, query: URLSearchParams): RequestKey {
  const header = headers['x-api-key']
  const fromHeader = Array.isArray(header) ? header[0] : header
  if (fromHeader) return { key: fromHeader, auth: 'header' }
  const fromQuery = query.get('apiKey')
  if (fromQuery) return { key: fromQuery, auth: 'query' }
  return { key: undefined, auth: 'none' }
}

/** The 401 body for a missing or unknown key, or `undefined` when the key is accepted. */
export function authFailure(key: RequestKey, accepted: ReadonlySet<string>): { error: string } | undefined {
  if (key.key === undefined) return { error: 'missing API key: send x-api-key or apiKey' }
  if (!accepted.has(key.key)) return { error: 'invalid API key' }
  return undefined
}
