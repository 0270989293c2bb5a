import WebSocket from 'ws'
import type { WebSocketLike } from '../websocket/websocket-types.js'
import type { Runtime } from './runtime-types.js'
import { requestTextWithUndici } from './undici-request.js'
import { openWithUndici } from './undici-sse.js'

// The Node runtime (the `node` export condition of `#runtime`): undici's `request` for SSE and JSON,
// which skips the WHATWG streams a `fetch` goes through, and `ws`, which sends upgrade headers, reports
// a refused upgrade with its status and refuses oversized frames before buffering them. One export per
// member of `Runtime`, like `runtime-web`.

export const kind: Runtime['kind'] = 'node'

export const webSocketHeaders: Runtime['webSocketHeaders'] = true

export const openSse: Runtime['openSse'] = openWithUndici

export const requestText: Runtime['requestText'] = requestTextWithUndici

export const createWebSocket: Runtime['createWebSocket'] = (url, protocols, headers, maxPayload) =>
  new WebSocket(url, protocols, { headers, maxPayload }) as unknown as WebSocketLike

export const defer: Runtime['defer'] = (work) => {
  setImmediate(work)
}
