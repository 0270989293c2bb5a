export { type FormatTonAddressOptions, formatTonAddress, parseTonAddress } from './address.js'
export type { TonKeyLimits } from './auth.js'
export type { TonFault, TonFaultTarget } from './faults.js'
export type { TonLedger, TonLedgerEvent, TonLedgerQuery, TonLedgerTrace, TonTraceStatus } from './ledger.js'
export type {
  TonDroppedNotification,
  TonDropReason,
  TonNotificationIdentity,
} from './notification-identity.js'
export type { TonFlavour } from './routes.js'
export type { TonScenarioOptions } from './scenario.js'
export type { TonSendBufferOptions } from './send-buffer.js'
export type { TonSession } from './session.js'
export { SSE_KEEPALIVE } from './sse-session.js'
export type { TonSubscribedListener } from './subscribed-listeners.js'
export type { TonSubscriptionView } from './subscription.js'
export {
  createTonSimulator,
  type TonAccountStateInit,
  type TonConnectionStats,
  type TonJettonChangeInit,
  type TonSessionTarget,
  type TonSimulator,
  type TonSimulatorOptions,
  type TonTraceInit,
} from './ton-simulator.js'
export type { TonTraceHandle } from './trace-run.js'
export type * from './wire-types.js'
export { compareFinality, TON_EVENT_TYPES } from './wire-types.js'
