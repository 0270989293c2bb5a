import type { FinalityTier, LifecycleUpdate, Outcome, TerminalKind, WatchStatus } from '@chainstream/core'
import type { TrackResult, TrackVerdict } from './track-result.js'

/**
 * A line of `chainstream track … --json` for one lifecycle update. Every line has the same fields
 * (absent values are `null`).
 */
export interface TrackUpdateRecord {
  /** Always `update`. */
  readonly kind: 'update'
  /** `ton` or `solana`. */
  readonly chain: string
  /** The trace hash (standard base64) or the signature. */
  readonly id: string
  /** The strongest tier seen: `unknown`, `pending`, `included`, `confirmed`, `finalized` (never goes down). */
  readonly tier: FinalityTier
  /** `unknown`, `success` or `failure`. */
  readonly outcome: Outcome
  /** How the story ended, on the one update that ends it: `finalized`, `failed`, `invalidated`, `expired`. */
  readonly terminal: TerminalKind | null
  /** Our watching: `watching`, `reached`, `timed_out`, `aborted`, `errored`. */
  readonly watch: WatchStatus
  /** The tier waited for (`--until`). */
  readonly target: FinalityTier
  /** The provider's own status (TON finality, Venum status). */
  readonly providerStatus: string | null
  /** `stream`, `snapshot`, `backfill`, `poll` or `reconciled`. */
  readonly source: string | null
  /** Milliseconds since tracking started. */
  readonly elapsedMs: number
  /** When the observation was made (ISO 8601, UTC). */
  readonly at: string
}

/** The last line of `chainstream track … --json`: the verdict and the exit code. */
export interface TrackResultRecord {
  /** Always `result`. */
  readonly kind: 'result'
  /** `ton` or `solana`. */
  readonly chain: string
  /** The trace hash (standard base64) or the signature. */
  readonly id: string
  /** `success`, `failed`, `invalidated`, `expired`, `timed out`, `unknown` or `interrupted`. */
  readonly result: TrackVerdict
  /** The process's exit code: 0, 1, 2 or 130. */
  readonly exitCode: number
  /** The strongest tier seen. */
  readonly tier: FinalityTier
  /** `unknown`, `success` or `failure`. */
  readonly outcome: Outcome
  /** Milliseconds since tracking started. */
  readonly elapsedMs: number
  /** Why, when there is more to say (the failure, the stream error). */
  readonly message: string | null
}

/** The record of one update. */
export function trackUpdateRecord(update: LifecycleUpdate): TrackUpdateRecord {
  return {
    kind: 'update',
    chain: update.chain,
    id: update.id,
    tier: update.tier,
    outcome: update.outcome,
    terminal: update.terminal?.kind ?? null,
    watch: update.watch,
    target: update.target,
    providerStatus: update.providerStatus ?? null,
    source: update.source ?? null,
    elapsedMs: update.elapsedMs,
    at: new Date(update.at).toISOString(),
  }
}

/** The record of the result. */
export function trackResultRecord(result: TrackResult): TrackResultRecord {
  const { update } = result
  return {
    kind: 'result',
    chain: update.chain,
    id: update.id,
    result: result.verdict,
    exitCode: result.code,
    tier: update.tier,
    outcome: update.outcome,
    elapsedMs: Math.max(0, Date.now() - (update.at - update.elapsedMs)),
    message: result.message ?? null,
  }
}
