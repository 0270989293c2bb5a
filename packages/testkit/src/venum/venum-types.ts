/**
 * The vocabulary of Venum's transaction-status API as the simulator speaks it (see the wire reference:
 * `GET /v1/stream/tx` and `GET /v1/tx/:signature`).
 */

/** The tiers a `/v1/stream/tx` client may request with `events=`, weakest first. */
export const VENUM_STREAM_EVENTS = ['landed', 'processed', 'confirmed', 'finalized'] as const

/** One requestable tier. */
export type VenumStreamEvent = (typeof VENUM_STREAM_EVENTS)[number]

/** What a transaction is on chain, as far as the simulator's ledger knows: a tier or `failed`. */
export type VenumChainStatus = VenumStreamEvent | 'failed'

/**
 * Statuses that end one signature's watcher without saying anything about the transaction: `timeout`
 * (landed-only mode, the landing signal never came) and `verify-timeout` (the server gave up before the
 * requested tier).
 */
export type VenumWatcherTimeout = 'timeout' | 'verify-timeout'

/**
 * The scripted story of one signature.
 *
 * - `success` — landed → processed → confirmed → finalized.
 * - `failure` — landed, then failed on chain (`err` set).
 * - `never-lands` — nothing ever happens; watchers end with `timeout` (landed-only) or `verify-timeout`.
 * - `verify-timeout` — landed, then stalls (never executes in time): watchers for a higher tier end with
 *   `verify-timeout`.
 * - `setup-error` — the server cannot set up a watcher: streams send an `error` event for it (and nothing
 *   happens on chain).
 * - `manual` — nothing automatic: the test drives it with `sim.advance()`; no watcher deadlines.
 */
export type VenumLifecycle =
  | 'success'
  | 'failure'
  | 'never-lands'
  | 'verify-timeout'
  | 'setup-error'
  | 'manual'

/** Relative weights of the automatic lifecycles (missing ones weigh 0). */
export type VenumLifecycleWeights = Partial<Record<Exclude<VenumLifecycle, 'manual'>, number>>

/**
 * The simulator's clock, in milliseconds at `timeScale` 1 (multiplied by it). Each step gets a seeded
 * jitter of ±`jitter` (a fraction) of its time.
 */
export interface VenumTimings {
  /** From first sighting to `landed`. @default 20 */
  landedMs: number
  /** To `processed`. @default 30 */
  processedMs: number
  /** To `confirmed`. @default 50 */
  confirmedMs: number
  /** To `finalized`. @default 200 */
  finalizedMs: number
  /** To `failed` (the `failure` lifecycle). @default 35 */
  failedMs: number
  /** Landed-only watchers send `timeout` when no landing came this long after they subscribed. @default 250 */
  landingTimeoutMs: number
  /** Other watchers send `verify-timeout` when their tier did not come this long after they subscribed. @default 600 */
  verifyTimeoutMs: number
  /** Seeded jitter as a fraction of each step's time. @default 0.2 */
  jitter: number
}

/** One `GET /v1/stream/tx` request as the simulator understood it. */
export interface VenumStreamRequestRecord {
  /** Path and query as sent. */
  readonly url: string
  /** The requested signatures (empty when the parameter was missing). */
  readonly signatures: readonly string[]
  /** The requested `events`, after the default (`landed`). */
  readonly events: readonly string[]
  /** How the key came: `x-api-key` header, `apiKey` query, or not at all. */
  readonly auth: 'header' | 'query' | 'none'
  /** The HTTP status the simulator answered with (200 for a stream). */
  readonly status: number
  /** Arrival time (epoch ms). */
  readonly at: number
}

/** One `GET /v1/tx/:signature` request as the simulator answered it. */
export interface VenumRestRequestRecord {
  readonly url: string
  readonly signature: string
  readonly auth: 'header' | 'query' | 'none'
  /** The HTTP status of the answer. */
  readonly status: number
  /** The `status` field of a 200 answer (`not_found`, `confirmed`, …). */
  readonly txStatus?: string
  readonly at: number
}

/**
 * A scripted answer for the next `GET /v1/tx/:signature`: an HTTP status (429/502/503/504 …, with
 * `Retry-After` in seconds for 429/503), or `'lookup-error'` for a 200 whose `status` is `error` (the
 * lookup itself failed).
 */
export type VenumRestFault = number | { status: number; retryAfterSeconds?: number } | 'lookup-error'
