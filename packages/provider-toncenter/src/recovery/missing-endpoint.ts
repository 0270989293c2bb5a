import type { Diagnostic } from '@chainstream/core'

/**
 * The diagnostic of an API v3 without an endpoint a late baseline reads (`/masterchainInfo`, the chain's
 * clock; `/blocks`, when a final trace finalized): recovery goes on without what it tells, as it did before
 * it read it, so a trace the server dropped around a reconnect or a slow baseline may be missed.
 */
export const missingEndpoint = (path: string): Diagnostic => ({
  code: 'v3-endpoint-missing',
  message: `API v3 has no ${path}: recovery goes on without it and may miss a trace dropped around a reconnect`,
})
