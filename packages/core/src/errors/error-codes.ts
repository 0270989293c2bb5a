/**
 * Stable error codes. Match on these (through {@link isChainstreamError}), never on messages.
 *
 * Transport and stream:
 * - `HttpError` — an HTTP status with no more specific meaning (retryable for 5xx).
 * - `Unauthorized` (401) / `Forbidden` (403) — fix the API key or the plan; fatal.
 * - `RateLimited` — 429 without a connection-limit meaning; retryable, honours `Retry-After`.
 * - `ConnectionLimit` — the plan's parallel-connection limit is reached.
 * - `InvalidSubscription` — the server (or the client-side mirror of its rules) rejected the subscription; fatal.
 * - `InvalidArgument` — an option or argument passed to chainstream is wrong; thrown before any request.
 * - `ConnectionClosed` — the socket or response body ended unexpectedly; retryable.
 * - `ConnectionLost` — reconnection gave up (`attempts` says after how many tries).
 * - `HeartbeatTimeout` — nothing arrived for longer than the heartbeat timeout; retryable.
 * - `PongTimeout` — a keepalive ping went unanswered (a half-open socket); retryable.
 * - `OpenTimeout` — the connection did not open in time; retryable.
 * - `SubscribeTimeout` — the server did not acknowledge the subscription in time; retryable.
 * - `RequestTimeout` — a request/response exchange over an open socket got no answer in time.
 * - `EventTooLarge` — one event exceeded the configured maximum size; retryable (the connection is dropped).
 * - `BufferOverflow` — a slow consumer let the bounded buffer fill up under the `fail` policy; fatal.
 * - `ProtocolError` — a frame that breaks the protocol (invalid JSON where JSON is required, say).
 * - `ServerError` — an error frame the server sent over an open stream.
 * - `Aborted` — the caller's `AbortSignal` fired.
 * - `Closed` — the stream was closed by the caller before the operation completed.
 *
 * Transaction lifecycle (the tracker and `waitFor`-style calls):
 * - `TransactionFailed` — the transaction executed with an error (outcome failure).
 * - `TransactionInvalidated` — a non-final observation was retracted.
 * - `TransactionExpired` — its lifetime ended and a re-check shows it never landed.
 * - `WaitTimeout` — the wait ended before the target; **the outcome is unknown**.
 * - `ProviderNotConfigured` — no configured provider serves the requested chain.
 */
export const ERROR_CODES = [
  'HttpError',
  'Unauthorized',
  'Forbidden',
  'RateLimited',
  'ConnectionLimit',
  'InvalidSubscription',
  'InvalidArgument',
  'ConnectionClosed',
  'ConnectionLost',
  'HeartbeatTimeout',
  'PongTimeout',
  'OpenTimeout',
  'SubscribeTimeout',
  'RequestTimeout',
  'EventTooLarge',
  'BufferOverflow',
  'ProtocolError',
  'ServerError',
  'Aborted',
  'Closed',
  'TransactionFailed',
  'TransactionInvalidated',
  'TransactionExpired',
  'WaitTimeout',
  'ProviderNotConfigured',
] as const

/** One of the stable {@link ERROR_CODES}. */
export type ChainstreamErrorCode = (typeof ERROR_CODES)[number]
