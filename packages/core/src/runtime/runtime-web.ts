import { ChainstreamError } from '../errors/chainstream-error.js'
import { isSecretHeader, redactUrl } from '../errors/redact.js'
import { fetchText } from '../http/fetch-text.js'
import { openWithFetch } from '../sse/sse-response.js'
import type { FetchLike } from '../sse/sse-transport-types.js'
import type { WebSocketConstructor, WebSocketLike } from '../websocket/websocket-types.js'
import type { Runtime } from './runtime-types.js'

// Looked up on every call rather than captured at load: a page or a test may install them later, and
// calling `fetch` detached from `globalThis` throws "Illegal invocation" in browsers.
const globalFetch: FetchLike = (input, init) => {
  const { fetch } = globalThis as unknown as { fetch?: FetchLike }
  if (typeof fetch !== 'function') {
    throw new ChainstreamError(
      'InvalidArgument',
      'This runtime has no global fetch: pass one with the `fetch` option',
      { isRetryable: false },
    )
  }
  return fetch.call(globalThis, input, init)
}

// The runtime of browsers, workers and every non-Node platform (the `browser`, `worker` and `default`
// export conditions of `#runtime`): the global `fetch` and `WebSocket`, nothing imported. One export per
// member of `Runtime`, never an object holding them all: a bundle keeps only the members it calls (an
// SSE-only app drops the WebSocket factory).

export const kind: Runtime['kind'] = 'web'

export const webSocketHeaders: Runtime['webSocketHeaders'] = false

export const openSse: Runtime['openSse'] = (url, init) => openWithFetch(globalFetch, url, init)

export const requestText: Runtime['requestText'] = (url, init) => fetchText(globalFetch, url, init)

export const createWebSocket: Runtime['createWebSocket'] = (url, protocols, headers) => {
  const { WebSocket } = globalThis as unknown as { WebSocket?: WebSocketConstructor }
  if (typeof WebSocket !== 'function') {
    throw new ChainstreamError(
      'InvalidArgument',
      'This runtime has no global WebSocket: pass one with the `WebSocket` option',
      { isRetryable: false },
    )
  }
  // A key that silently stayed behind would surface as a puzzling 401; say what to do instead.
  const secret = Object.keys(headers).find(isSecretHeader)
  if (secret !== undefined) {
    throw new ChainstreamError(
      'InvalidArgument',
      `A WebSocket here cannot send request headers, so the ${secret} header would never reach ${redactUrl(url)}: send the key as a query parameter (authVia: 'query' for TON)`,
      { isRetryable: false },
    )
  }
  const socket: WebSocketLike = new WebSocket(url, protocols)
  // The default binaryType is Blob, which can only be read asynchronously and would reorder messages.
  ;(socket as unknown as { binaryType: string }).binaryType = 'arraybuffer'
  return socket
}

// A macrotask without `setImmediate` (which only Node has).
export const defer: Runtime['defer'] = (work) => {
  setTimeout(work, 0)
}
