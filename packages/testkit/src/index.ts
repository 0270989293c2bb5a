/**
 * Test servers on loopback: SSE and WebSocket servers with fault injection, and simulators of TON
 * Streaming API v2 (with API v3) and of Venum, for tests, demos and benchmarks.
 *
 * @module @chainstream/testkit
 */

export { listen } from './listen.js'
export { type RecordedRequest, recordRequest } from './request-record.js'
export { formatSseEvent, type SseEventInit } from './sse-format.js'
export { createSseServer, type SseHandler, type SseServer, type SseServerOptions } from './sse-server.js'
export type { SendOptions, SseServerConnection } from './sse-server-connection.js'
export { decodeBase58, encodeBase58, isVenumSignature } from './venum/base58.js'
export type { VenumLifecycleChooser } from './venum/venum-ledger.js'
export { DEFAULT_VENUM_TIMINGS } from './venum/venum-lifecycle.js'
export { venumSignature } from './venum/venum-signature.js'
export {
  createVenumSimulator,
  VENUM_TEST_API_KEY,
  type VenumSimulator,
  type VenumSimulatorOptions,
} from './venum/venum-simulator.js'
export type {
  VenumChainStatus,
  VenumLifecycle,
  VenumLifecycleWeights,
  VenumRestFault,
  VenumRestRequestRecord,
  VenumStreamEvent,
  VenumStreamRequestRecord,
  VenumTimings,
  VenumWatcherTimeout,
} from './venum/venum-types.js'
export {
  createWsServer,
  type WsCloseInfo,
  type WsConnectionHandler,
  type WsRefusal,
  type WsServer,
  WsServerConnection,
  type WsServerOptions,
  type WsServerRequest,
  type WsUpgradeRecord,
} from './ws-server.js'
export { trackTimers } from './track-timers.js'
export * from './ton/index.js'
