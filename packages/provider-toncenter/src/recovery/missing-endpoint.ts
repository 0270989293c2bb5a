import type { Diagnostic } from '@chainstream/core'

/**
 * The diagnostic of an API v3 without an endpoint a late baseline reads: recovery goes on without what it
 * tells (as it did before it read it), so what it would have caught may be missed.
 */
export function missingEndpoint(path: string, purpose: string): Diagnostic {
  return {
    code: 'v3-endpoint-missing',
    message: `API v3 has no ${path} (404, 405 or 501), used to ${purpose}: recovery goes on without it, and a trace the server dropped around a drop or a slow baseline may not be recovered`,
  }
}
