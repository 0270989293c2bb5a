import * as runtime from './runtime.js'

/** Which platform module this copy of `@chainstream/core` was loaded with. */
export type RuntimeKind = 'node' | 'web'

/**
 * `'node'` when the package was loaded under the `node` export condition (undici and `ws`), `'web'` in
 * browsers, workers and other runtimes (the global `fetch` and `WebSocket`).
 */
export function runtimeKind(): RuntimeKind {
  return runtime.kind
}

/**
 * Where a provider should put an API key when the caller did not say: `'header'` where request headers
 * reach the server on every transport, `'query'` where they cannot (a browser's WebSocket and
 * `EventSource` cannot set headers, and a custom header on `fetch` needs a CORS preflight the services
 * may refuse). Services document a query parameter for exactly this case.
 */
export function defaultKeyPlacement(): 'header' | 'query' {
  return runtime.webSocketHeaders ? 'header' : 'query'
}
