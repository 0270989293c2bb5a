/**
 * Every fault a schedule can inject, with the scenarios it applies to. The CLI reports failures by these
 * names, so they say what happened on the wire rather than how the harness does it.
 */
export const FAULT_KINDS = {
  /** The server drops every stream abruptly right after a burst of events (some are in flight). */
  'drop-mid-event': 'abrupt drop while events are in flight',
  /** The next stream request(s) get HTTP 500/502/503/504, then the connection is dropped. */
  'server-5xx': 'HTTP 5xx on reconnect',
  /** The next stream request(s) get the gateway's 429 `Ratelimit exceeded` with `Retry-After`. */
  'rate-limit-429': 'HTTP 429 with Retry-After on reconnect',
  /** Two drops in quick succession: the old sessions linger and the key is at its connection limit. */
  'reconnect-too-soon': '429 connection limit while an old session lingers',
  /** WebSocket pings (operation and protocol) go unanswered while events still flow. */
  'half-open': 'half-open WebSocket (pings unanswered)',
  /** The server stops writing anything — events, keepalives, pongs — with the socket kept open. */
  'heartbeat-silence': 'heartbeat silence',
  /** The consumer stalls while a burst arrives; the server drops what does not fit its buffers. */
  'slow-consumer': 'slow consumer (server-side drops), reconcile on',
  /** Traces finalized in the reverse order of their LTs, across a drop. */
  'out-of-order-finality': 'out-of-LT-order finalization',
  /** A trace shown as pending (or confirmed) is invalidated while the client is disconnected. */
  'invalidation-across-reconnect': 'invalidation across a reconnect',
  /** One more wallet is added to the subscription with `update()` while other faults go on. */
  'subscription-change': 'a wallet added with update() mid-stream',
  /** API v3 answers 429/5xx while recovery reads it. */
  'v3-errors': 'API v3 errors during recovery',
  /** Venum drops its streams (at once, or after N events). */
  'venum-drop': 'Venum stream drops',
  /** Venum streams go silent without closing (half-open). */
  'venum-stall': 'Venum half-open streams',
  /** Venum's commitment-tier polling is unavailable for a while: 503 → polling fallback. */
  'venum-503-fallback': 'Venum 503 → polling fallback',
  /** Venum's REST lookups answer 429/502/503 or a lookup error. */
  'venum-rest-errors': 'Venum REST errors',
  /** Venum's per-key stream limit: 429 with Retry-After. */
  'venum-stream-limit': 'Venum 429 stream limit',
  /** Waits and tracks aborted by the caller mid-flight. */
  abort: 'caller aborts',
} as const

export type FaultKind = keyof typeof FAULT_KINDS
