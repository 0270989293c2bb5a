import type { HttpTextRequest, HttpTextResponse } from '../http/fetch-text.js'
import type { SseRequestInit, SseResponse } from '../sse/sse-response.js'
import type { WebSocketLike } from '../websocket/websocket-types.js'

/**
 * What the transports need from the platform: the exports of one small module per platform, one
 * export per member (so that a bundle keeps only the members it calls). The package's
 * `#runtime` import picks one by export condition: Node gets undici and `ws` (`runtime-node`), browsers,
 * workers and every other runtime get the global `fetch` and `WebSocket` (`runtime-web`), so a browser
 * bundle never sees a Node built-in.
 */
export interface Runtime {
  /** Which module this is: `'node'` (undici, `ws`) or `'web'` (the platform's globals). */
  readonly kind: 'node' | 'web'
  /**
   * Whether request headers reach the server on a WebSocket upgrade. Browsers cannot set them, so
   * providers send keys as query parameters there.
   */
  readonly webSocketHeaders: boolean
  /** Sends an SSE request with the platform's HTTP client; resolves once the headers arrived. */
  openSse(url: string, init: SseRequestInit): Promise<SseResponse>
  /** One HTTP request whose whole body is read as text (JSON snapshots, error bodies). */
  requestText(url: string, init: HttpTextRequest): Promise<HttpTextResponse>
  /** The default WebSocket; `maxPayload` lets an implementation refuse an oversized frame early. */
  createWebSocket(
    url: string,
    protocols: string | string[] | undefined,
    headers: Record<string, string>,
    maxPayload: number,
  ): WebSocketLike
  /** Runs `work` on a later macrotask (after the caller's current task and its microtasks). */
  defer(work: () => void): void
}
