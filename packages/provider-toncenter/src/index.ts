/**
 * TON Center Streaming API v2, and the TON protocol shared with TonAPI.
 *
 * @module @chainstream/provider-toncenter
 */

// The provider
export { createToncenter, type Toncenter, type ToncenterOptions } from './toncenter.js'
export { TONCENTER_SERVICE } from './ton-services.js'
export {
  createTonService,
  type TonServiceClient,
  type TonServiceDefinition,
  type TonServiceOptions,
} from './ton-service.js'
export { normalizeBaseUrl, type TonNetwork, toHttpUrl, toWebSocketUrl } from './endpoints.js'
export type { TonStreamOptions } from './stream-options.js'
export {
  createTonStream,
  createTonStreams,
  type TonServiceProfile,
  type TonStreams,
  type TonStream,
  type TonStreamEvents,
  type TonStreamPlacement,
  type TonStreamUpdate,
  type TonUnsubscribe,
} from './ton-stream.js'
export type { TonEvent, TonEventSource } from './ton-event.js'
export {
  createTonStreamsOver,
  type TonStreamOverOptions,
  type TonStreamsOver,
  tonSubscriptionUnion,
} from './hub/streams-over.js'
export type { TonLifecycleOptions } from './lifecycle/lifecycle-options.js'
export {
  createTonLifecycleSource,
  type TonLifecycleHost,
  validateTonTraceId,
} from './lifecycle/lifecycle-source.js'
export {
  type TonTraceOutcome,
  TonTraceFailure,
  type TonTransactionFailure,
  traceOutcome,
  transactionFailure,
} from './lifecycle/trace-outcome.js'
export type { HandlerFilter, TonEventHandler } from './handler-filters.js'
export type { TonAuth } from './ton-provider.js'
export type { RecoveryTuning } from './recovery/gap-recovery.js'
export {
  createV3Client,
  type V3Client,
  type V3ClientOptions,
  type V3Query,
  type V3Trace,
} from './recovery/v3-client.js'

// What applications use of the protocol: addresses, trace hashes, the vocabulary of types and
// finalities, and the notification payloads. The wire codec itself is `@chainstream/provider-toncenter/protocol`.
export { ACTION_TYPES, type ActionType, type KnownActionType } from './protocol/action-types.js'
export {
  isTonAddress,
  normalizeTonAddress,
  type ParsedTonAddress,
  parseTonAddress,
  toUserFriendly,
  type UserFriendlyOptions,
} from './protocol/address.js'
export {
  finalityRank,
  meetsFinality,
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  TON_EVENT_TYPES,
  TON_FINALITIES,
  type TonEventType,
  type TonFinality,
} from './protocol/event-types.js'
export type {
  AccountStateChangeNotification,
  ActionsNotification,
  Enrichments,
  JettonsChangeNotification,
  TonNotification,
  TonNotificationMap,
  TraceInvalidatedNotification,
  TraceNotification,
  TraceScopedNotification,
  TransactionsNotification,
} from './protocol/notifications.js'
export type { TonSubscription, TonSubscriptionOptions } from './protocol/subscription.js'
export { normalizeTraceHash } from './protocol/trace-hash.js'
export type * from './protocol/v3-types.js'
