/**
 * The TON Streaming API v2 wire codec, pure: frames, errors, subscriptions, WebSocket envelopes,
 * addresses and trace hashes. Shared by the TON Center and TonAPI profiles; for tools that speak the
 * protocol without a stream (a relay, a proxy, a test).
 *
 * @module @chainstream/provider-toncenter/protocol
 */

export { ACTION_TYPES, type ActionType, isKnownActionType, type KnownActionType } from './action-types.js'
export {
  isTonAddress,
  normalizeTonAddress,
  type ParsedTonAddress,
  parseTonAddress,
  toUserFriendly,
  type UserFriendlyOptions,
} from './address.js'
export {
  type ClassifyOptions,
  classifyTonError,
  classifyWsErrorFrame,
  connectionLimitOf,
  isConnectionLimitMessage,
  type WsErrorContext,
} from './classify-error.js'
export { decodeTonFrame, type TonFrame } from './decode-frame.js'
export {
  finalityRank,
  meetsFinality,
  NEVER_PENDING_TYPES,
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  TON_EVENT_TYPES,
  TON_FINALITIES,
  type TonEventType,
  type TonFinality,
  TRACE_SCOPED_TYPES,
} from './event-types.js'
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
} from './notifications.js'
export {
  applySubscriptionChange,
  isIdleSubscription,
  needsReconnectToApply,
  removeFromSubscription,
  resolveTonSubscription,
  type TonSubscription,
  type TonSubscriptionChange,
  type TonSubscriptionOptions,
  toWireSubscription,
  type WireSubscription,
} from './subscription.js'
export { normalizeTraceHash } from './trace-hash.js'
export type * from './v3-types.js'
export {
  createRequestIds,
  isPongText,
  pingMessage,
  subscribeMessage,
  unsubscribeMessage,
} from './ws-messages.js'
