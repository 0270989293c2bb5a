/**
 * What provider authors build on: the stream engine and its contract, transports, the SSE parser,
 * request helpers, queues, redaction, the lifecycle machine and the tracker's source contract.
 * Application code needs only the main entry.
 *
 * @module @chainstream/core/provider
 */

export { abortError, toChainstreamError } from './errors/chainstream-error.js'
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
  foldLifecycle,
  isObservableChange,
  type LifecycleDiagnosticSink,
  type LifecycleStep,
  reduceLifecycle,
} from './finality/lifecycle-machine.js'
export { toLifecycleUpdate } from './finality/lifecycle-update.js'
// The finality model's machinery: observations in, lifecycle updates out
export type * from './finality/observation.js'
export { isObservedTier, maxTier, tierRank } from './finality/tiers.js'
// Requests, errors and secrets
export {
  buildUrl,
  type JsonResponse,
  type QueryValue,
  type RequestJsonOptions,
  requestJson,
} from './http/request-json.js'
export type {
  LifecycleSink,
  LifecycleSourceV1,
  LifecycleWatch,
  LifecycleWatchOptions,
} from './provider/lifecycle-source-v1.js'
// The provider contract
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
export type {
  ProviderTransports,
  StreamTransport,
  TransportCloseReason,
  TransportConnection,
  TransportContext,
} from './provider/stream-transport.js'
// Reconnection
export { backoffCeiling, backoffDelay, resolveReconnectPolicy } from './reconnect/backoff.js'
// The platform: Node (undici, `ws`) or the web's globals, chosen by export condition
export { defaultKeyPlacement, type RuntimeKind, runtimeKind } from './runtime/runtime-info.js'
// Transports
export { createSseParser } from './sse/sse-parser.js'
export { sseTransport } from './sse/sse-stream-transport.js'
export { connectSse } from './sse/sse-transport.js'
export type { SseCloseReason, SseConnection, SseConnectOptions } from './sse/sse-transport-types.js'
export type { SseMessage, SseParser, SseParserCallbacks, SseParserOptions } from './sse/sse-types.js'
export { BoundedQueue } from './stream/bounded-queue.js'
export { FanOut, type FanOutOptions } from './stream/fan-out.js'
// The stream engine and what handles are made of
export { createStreamEngine } from './stream/stream-engine.js'
export { bufferOverflow, closedError, listenerError } from './stream/stream-errors.js'
export type { StreamEngineOptions } from './stream/stream-types.js'
export { SubscribedWaiters, type SubscribedWaitersHost } from './stream/subscribed-waiters.js'
export { chainHint, registerChainHint } from './tracker/chain-hints.js'
export { onAbort, sleep } from './util/abort.js'
// Utilities
export { allSettled } from './util/all-settled.js'
export { Emitter, type EventMap } from './util/emitter.js'
export { silentLogger } from './util/logger.js'
export {
  above,
  arrayOf,
  boolean,
  type Check,
  type Checked,
  custom,
  falseOrObject,
  finiteNumber,
  firstIssue,
  integer,
  nonEmptyString,
  type OptionIssue,
  type OptionPath,
  type OptionsOf,
  oneOf,
  optional,
  optionsObject,
  type ParsedOptions,
  parseOptions,
  recordOf,
  type SchemaOutput,
  type StandardResult,
  type StandardSchema,
  string,
} from './util/options.js'
export { webSocketTransport } from './websocket/websocket-stream-transport.js'
export { connectWebSocket, openWebSocket } from './websocket/websocket-transport.js'
export type {
  WebSocketCloseReason,
  WebSocketConnection,
  WebSocketConnectOptions,
  WebSocketKeepalive,
  WebSocketLike,
} from './websocket/websocket-types.js'
