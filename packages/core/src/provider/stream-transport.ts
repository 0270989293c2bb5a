import type { SseCloseReason } from '../sse/sse-transport-types.js'
import type { WebSocketCloseReason, WebSocketKeepalive } from '../websocket/websocket-types.js'
import type {
  ConnectRequest,
  InboundFrame,
  SseConnectRequest,
  WebSocketConnectRequest,
} from './provider-v1.js'

/**
 * What opens the connections of a stream for one kind of {@link ConnectRequest}. The engine imports no
 * transport itself: each provider hands it the ones it uses ({@link ProviderTransports}), so an app ships
 * only those — an SSE-only provider never pulls the WebSocket transport into a bundle.
 *
 * `@chainstream/core/provider` exports the two built-in ones, `sseTransport` and `webSocketTransport`.
 */
export interface StreamTransport<TRequest extends ConnectRequest = ConnectRequest> {
  /**
   * Opens one connection. Returns (or resolves with) the connection as soon as it can be closed; a
   * connection that is still opening says when it is usable through {@link TransportConnection.opened}.
   * Throwing or rejecting fails the attempt, like any connection error (typed errors keep their
   * `isRetryable`).
   */
  open(request: TRequest, context: TransportContext): TransportConnection | Promise<TransportConnection>
}

/** What the engine gives a transport for one connection. */
export interface TransportContext {
  /** Aborted when the connection ends: the transport closes then. */
  readonly signal: AbortSignal
  /** No bytes for this long → the connection fails with `HeartbeatTimeout`; `0` disables it. */
  readonly heartbeatTimeoutMs: number
  /** Opening may take this long, else `OpenTimeout`; `0` disables the limit. */
  readonly openTimeoutMs: number
  /** Largest accepted event or message in bytes. */
  readonly maxEventSize: number
  /** The provider's WebSocket keepalive, if it has one. */
  readonly keepalive?: WebSocketKeepalive
  /** Every inbound frame, in order, synchronously on the transport's read loop. */
  readonly onFrame: (frame: InboundFrame) => void
  /** The byte count of everything received (for the stream's counters). */
  readonly onBytes: (count: number) => void
}

/** One connection as the engine drives it. */
export interface TransportConnection {
  /** Settles once when the connection ends, for whatever reason; never rejects. */
  readonly closed: Promise<TransportCloseReason>
  /** Closes the connection (idempotent). */
  close(): void
  /** Sends a text message; absent where the transport cannot send (SSE). */
  send?(data: string): void
  /** Set while the connection is still opening: resolves once it is usable, rejects when it cannot be. */
  readonly opened?: Promise<unknown>
}

/** Why a transport's connection ended. */
export type TransportCloseReason = SseCloseReason | WebSocketCloseReason

/** The transports a provider's connections use, by the `transport` of each {@link ConnectRequest}. */
export interface ProviderTransports {
  readonly sse?: StreamTransport<SseConnectRequest>
  readonly websocket?: StreamTransport<WebSocketConnectRequest>
}
