import type { IncomingMessage, ServerResponse } from 'node:http'

/** Response headers a page may read from a cross-origin answer (fetch hides all but a safelisted few). */
const EXPOSED = 'retry-after, content-type, content-length, cache-control'

/**
 * Makes a simulator usable from a page on another origin, as a public API is: every answer carries
 * `Access-Control-Allow-Origin` (the caller's origin, so credentials would work too), and a CORS preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) is answered here with `204` and whatever method and
 * headers it asks for. Returns `true` when the request was a preflight and has been answered.
 * WebSocket upgrades need none of this: browsers do not apply CORS to them.
 */
export function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin
  res.setHeader('access-control-allow-origin', origin ?? '*')
  if (origin !== undefined) {
    res.setHeader('vary', 'origin')
    res.setHeader('access-control-allow-credentials', 'true')
  }
  res.setHeader('access-control-expose-headers', EXPOSED)
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
    'access-control-max-age': '600',
    'content-length': '0',
  })
  res.end()
  return true
}
