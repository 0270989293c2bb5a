/**
 * What application code touches: the cross-chain tracker, errors and their codes, finality tiers and
 * lifecycle updates, stream states and counters. Provider authors: see `@chainstream/core/provider`.
 *
 * @module @chainstream/core
 */

// The cross-chain tracker
export { createTracker } from './tracker/tracker.js'
export type {
  TrackedTransaction,
  TrackedTransactionEvents,
  Tracker,
  TrackerEvents,
  TrackerOptions,
  TrackerProvider,
  TrackInput,
} from './tracker/tracker-types.js'

// Errors
export {
  ChainstreamError,
  type ChainstreamErrorOptions,
  isChainstreamError,
} from './errors/chainstream-error.js'
export { type ChainstreamErrorCode, ERROR_CODES } from './errors/error-codes.js'

// Finality: tiers, outcomes, terminals, lifecycle updates
export {
  compareTiers,
  FINALITY_TIERS,
  type FinalityTier,
  isFinalityTier,
  isTierAtLeast,
  type ObservedTier,
} from './finality/tiers.js'
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
export type { LifecycleUpdate } from './finality/lifecycle-update.js'
export type { LifecycleState, LifecycleTerminal } from './finality/lifecycle-state.js'

// Streams: what every provider's stream has in common
export type {
  ChainStream,
  ChainStreamEvents,
  ConnectionState,
  ReconnectInfo,
  StreamCounters,
} from './stream/stream-types.js'
export type { BufferOptions, OverflowPolicy } from './stream/bounded-queue.js'
export type { Diagnostic } from './provider/provider-v1.js'
export { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './reconnect/backoff.js'

// What a client can be given
export type { Logger } from './util/logger.js'
export type { FetchLike } from './sse/sse-transport-types.js'
export type { WebSocketConstructor } from './websocket/websocket-types.js'
