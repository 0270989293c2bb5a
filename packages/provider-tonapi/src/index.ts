/**
 * TonAPI Streaming API v2 (the TON protocol lives in @chainstream/provider-toncenter).
 *
 * @module @chainstream/provider-tonapi
 */

export { createTonapi, type Tonapi, type TonapiOptions } from './tonapi.js'
export { TONAPI_SERVICE } from './tonapi-service.js'
export type {
  ActionType,
  HandlerFilter,
  TonEvent,
  TonEventSource,
  TonEventType,
  TonFinality,
  TonLifecycleOptions,
  TonNotification,
  TonStream,
  TonStreamOptions,
  TonStreamUpdate,
  TonTransactionFailure,
} from '@chainstream/provider-toncenter'
export {
  normalizeTonAddress,
  TonTraceFailure,
  toUserFriendly,
} from '@chainstream/provider-toncenter'
