import { ChainstreamError } from '@chainstream/core'

/** A TON network. */
export type TonNetwork = 'mainnet' | 'testnet'

/**
 * Checks and normalises a base URL: absolute http(s) or ws(s), no trailing slash.
 *
 * @throws {ChainstreamError} `InvalidArgument` for anything else.
 */
export function normalizeBaseUrl(value: string, name: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ChainstreamError('InvalidArgument', `${name} must be an absolute URL, got "${value}"`, {
      isRetryable: false,
    })
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new ChainstreamError('InvalidArgument', `${name} must be an http(s) URL, got "${value}"`, {
      isRetryable: false,
    })
  }
  if (url.search || url.hash) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${name} must not have a query or fragment, got "${value}"`,
      {
        isRetryable: false,
      },
    )
  }
  return url.href.replace(/\/+$/, '')
}

/** `http(s)://host/path` → `ws(s)://host/path` (WebSocket endpoints live on the same host). */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/i, 'ws$1:')
}

/** `ws(s)://…` → `http(s)://…`. */
export function toHttpUrl(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:')
}
