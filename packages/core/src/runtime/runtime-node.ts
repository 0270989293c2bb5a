import WebSocket from 'ws'
import type { WebSocketLike } from '../websocket/websocket-types.js'
import type { Runtime } from './runtime-types.js'
import { requestTextWithUndici } from './undici-request.js'
import { openWithUndici } from './undici-sse.js'

/**
 * The Node runtime (the `node` export condition of `#runtime`): undici's `request` for SSE and JSON,
 * which skips the WHATWG streams a `fetch` goes through, and `ws`, which sends upgrade headers, reports
 * a refused upgrade with its status and refuses oversized frames before buffering them.
 */
export const runtime: Runtime = {
  kind: 'node',
  webSocketHeaders: true,
  openSse: openWithUndici,
  requestText: requestTextWithUndici,
  createWebSocket: (url, protocols, headers, maxPayload) =>
    new WebSocket(url, protocols, { headers, maxPayload }) as unknown as WebSocketLike,
  defer: (work) => {
    setImmediate(work)
  },
}
