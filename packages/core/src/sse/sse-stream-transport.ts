import type { SseConnectRequest } from '../provider/provider-v1.js'
import type { StreamTransport } from '../provider/stream-transport.js'
import { connectSse } from './sse-transport.js'

/**
 * The SSE transport of the stream engine ({@link connectSse}): resolves once the response headers
 * arrived. A provider whose `open` returns SSE requests lists it in its `transports`.
 */
export const sseTransport: StreamTransport<SseConnectRequest> = {
  open: (request, context) =>
    connectSse({
      url: request.url,
      method: request.method ?? 'GET',
      signal: context.signal,
      heartbeatTimeoutMs: context.heartbeatTimeoutMs,
      openTimeoutMs: context.openTimeoutMs,
      maxEventSize: context.maxEventSize,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.fetch ? { fetch: request.fetch } : {}),
      onEvent: (message) => context.onFrame({ transport: 'sse', message }),
      onBytes: context.onBytes,
    }),
}
