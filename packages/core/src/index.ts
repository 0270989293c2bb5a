// @chainstream/core — the provider-neutral public surface. Curated: internals stay internal.

// Errors
export {
  abortError,
  ChainstreamError,
  type ChainstreamErrorOptions,
  isChainstreamError,
  toChainstreamError,
} from './errors/chainstream-error.js'
export { type ChainstreamErrorCode, ERROR_CODES } from './errors/error-codes.js'
export { bodyMessage, httpError, parseBody, parseRetryAfter } from './errors/http-error.js'
export {
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
  redactValue,
  registerSecret,
} from './errors/redact.js'
export { evaluateWait, type WaitEvaluation } from './finality/evaluate-wait.js'
export { LIFECYCLE_DIAGNOSTIC_CODES, type LifecycleDiagnosticCode } from './finality/lifecycle-diagnostics.js'
export {
  type CreateLifecycleStateInput,
  createLifecycleState,
  type LifecycleStep,
  reduceLifecycle,
} from './finality/lifecycle-machine.js'
export type { LifecycleState, LifecycleTerminal } from './finality/lifecycle-state.js'
export {
  isOutcome,
  isUpdateSource,
  OUTCOMES,
  type Outcome,
  TERMINAL_KINDS,
  type TerminalKind,
  UPDATE_SOURCES,
  type UpdateSource,
  WATCH_STATUSES,
  type WatchStatus,
} from './finality/lifecycle-types.js'
export { type LifecycleUpdate, toLifecycleUpdate } from './finality/lifecycle-update.js'
export type * from './finality/observation.js'
// Finality model and lifecycle state machine
export {
  compareTiers,
  FINALITY_TIERS,
  type FinalityTier,
  isFinalityTier,
  isObservedTier,
  isTierAtLeast,
  maxTier,
  type ObservedTier,
  tierRank,
} from './finality/tiers.js'
export {
  buildUrl,
  type JsonResponse,
  type QueryValue,
  type RequestJsonOptions,
  requestJson,
} from './http/request-json.js'
export type {
  ChangePlan,
  ConnectContext,
  ConnectRequest,
  Decoded,
  Diagnostic,
  EmitOrigin,
  InboundFrame,
  OutboundRequest,
  ProviderSession,
  RecoverContext,
  SseConnectRequest,
  StreamProviderV1,
  SubscribePlan,
  WebSocketConnectRequest,
} from './provider/provider-v1.js'
// Reconnection
export {
  backoffCeiling,
  backoffDelay,
  DEFAULT_RECONNECT_POLICY,
  type ReconnectPolicy,
  resolveReconnectPolicy,
} from './reconnect/backoff.js'
// Transports
export { createSseParser } from './sse/sse-parser.js'
export { connectSse } from './sse/sse-transport.js'
export type {
  FetchLike,
  SseCloseReason,
  SseConnection,
  SseConnectOptions,
} from './sse/sse-transport-types.js'
export type { SseMessage, SseParser, SseParserCallbacks, SseParserOptions } from './sse/sse-types.js'
// Streams and the provider contract
export { BoundedQueue, type BufferOptions, type OverflowPolicy } from './stream/bounded-queue.js'
export { createStreamEngine } from './stream/stream-engine.js'
export { FanOut, type FanOutOptions } from './stream/fan-out.js'
export type {
  ChainStream,
  ChainStreamEvents,
  ConnectionState,
  ReconnectInfo,
  StreamCounters,
  StreamEngineOptions,
} from './stream/stream-types.js'
// Utilities
export { onAbort, sleep } from './util/abort.js'
export { Emitter, type EventMap } from './util/emitter.js'
export { type Logger, silentLogger } from './util/logger.js'
export { parseOptions } from './util/options.js'
export { connectWebSocket, openWebSocket } from './websocket/websocket-transport.js'
export type {
  WebSocketCloseReason,
  WebSocketConnection,
  WebSocketConnectOptions,
  WebSocketConstructor,
  WebSocketKeepalive,
  WebSocketLike,
} from './websocket/websocket-types.js'
export type {
  LifecycleSink,
  LifecycleSourceV1,
  LifecycleWatch,
  LifecycleWatchOptions,
} from './provider/lifecycle-source-v1.js'

// The cross-chain tracker
export { createTracker } from './tracker/tracker.js'
export { chainHint, registerChainHint } from './tracker/chain-hints.js'
export type {
  TrackedTransaction,
  TrackedTransactionEvents,
  Tracker,
  TrackerEvents,
  TrackerOptions,
  TrackerProvider,
  TrackInput,
} from './tracker/tracker-types.js'
