/**
 * The small vocabularies of the lifecycle model besides the tier: what happened, how the story ended,
 * how our watching is going, and where an observation came from.
 */

/** Every {@link Outcome}. */
export const OUTCOMES = ['unknown', 'success', 'failure'] as const

/**
 * What happened to the transaction, independent of its tier: `unknown` until a provider says,
 * `success`, or `failure` (it executed with an error; the provider's error is kept beside it).
 * Once `failure`, a lifecycle never reports `success` again.
 */
export type Outcome = (typeof OUTCOMES)[number]

/** Every {@link TerminalKind}. */
export const TERMINAL_KINDS = ['finalized', 'failed', 'invalidated', 'expired'] as const

/**
 * How a transaction's story ended. Terminals absorb: nothing changes a lifecycle after one.
 *
 * - `finalized` — irreversible; the outcome says whether it succeeded or failed.
 * - `failed` — it executed with an error, below `finalized`.
 * - `invalidated` — a non-final observation was retracted (TON `trace_invalidated`).
 * - `expired` — its lifetime ended and a re-check shows it never landed: only now is re-signing safe.
 */
export type TerminalKind = (typeof TERMINAL_KINDS)[number]

/** Every {@link WatchStatus}. */
export const WATCH_STATUSES = ['watching', 'reached', 'timed_out', 'aborted', 'errored'] as const

/**
 * The state of *our watching*, never a transaction outcome.
 *
 * - `watching` — still waiting for the target tier.
 * - `reached` — the target tier was reached with an outcome other than `failure` (set once, kept).
 * - `timed_out` — we stopped waiting; **the outcome is unknown**. Later observations may still advance.
 * - `aborted` — the caller aborted; never turns into `reached`.
 * - `errored` — watching failed (a stream or setup error); the outcome is unknown.
 */
export type WatchStatus = (typeof WATCH_STATUSES)[number]

/** Every {@link UpdateSource}. */
export const UPDATE_SOURCES = ['stream', 'snapshot', 'backfill', 'poll', 'reconciled'] as const

/**
 * Where an observation came from: the live `stream`, a `snapshot` taken after a (re)connect, a
 * `backfill` of a gap, a `poll` when no stream is available, or a periodic reconciliation with the
 * server's history that found what the stream never delivered (`reconciled`).
 */
export type UpdateSource = (typeof UPDATE_SOURCES)[number]

/** True when `value` is one of the {@link OUTCOMES}. */
export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value)
}

/** True when `value` is one of the {@link UPDATE_SOURCES}. */
export function isUpdateSource(value: unknown): value is UpdateSource {
  return typeof value === 'string' && (UPDATE_SOURCES as readonly string[]).includes(value)
}
