import type { WebSocketConnectRequest } from '../provider/provider-v1.js'
import type { StreamTransport } from '../provider/stream-transport.js'
import { openWebSocket } from './websocket-transport.js'

/**
 * The WebSocket transport of the stream engine ({@link openWebSocket}): returns at once, so the engine can
 * close a socket that is still upgrading; `opened` says when it is usable. A provider whose `open` returns
 * WebSocket requests lists it in its `transports`.
 */
export const webSocketTransport: StreamTransport<WebSocketConnectRequest> = {
  open: (request, context) =>
    openWebSocket({
      url: request.url,
      signal: context.signal,
      openTimeoutMs: context.openTimeoutMs,
      maxMessageSize: context.maxEventSize,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.protocols ? { protocols: request.protocols } : {}),
      ...(request.WebSocket ? { WebSocket: request.WebSocket } : {}),
      ...(context.keepalive ? { keepalive: context.keepalive } : {}),
      onMessage: (data) => context.onFrame({ transport: 'websocket', data }),
      onBytes: context.onBytes,
    }),
}
