import {
  type FinalityTier,
  isFinalityTier,
  isOutcome,
  isUpdateSource,
  type LifecycleUpdate,
  type Outcome,
  TERMINAL_KINDS,
  type UpdateSource,
} from '@chainstream/core'
import { type Observation, tierRank } from '@chainstream/core/provider'
import { toToken } from './tokens.js'

type TerminalKind = (typeof TERMINAL_KINDS)[number]
const OBSERVED = ['pending', 'included', 'confirmed', 'finalized'] as const
type Observed = (typeof OBSERVED)[number]

/**
 * The lifecycle of one tracked id as the tracks bucket holds it (key `<chain>.<id token>`): the highest
 * tier seen, the outcome, the terminal once there is one, and when each tier was reached with the
 * provider's status then. Written only by relays, each write a compare-and-set on the key's revision
 * through the relay's merge rule: tiers never go down and the first terminal stays the only one, whichever
 * relay saw what first.
 */
export interface TrackRecord {
  /** `'ton'` or `'solana'`. */
  readonly chain: string
  /** The trace hash or signature, as tracked. */
  readonly id: string
  /** The highest tier seen. */
  readonly tier: FinalityTier
  /** What is known of the execution. */
  readonly outcome: Outcome
  /** How the lifecycle ended, once it has. */
  readonly terminal?: TerminalKind
  /** Where the latest news came from. */
  readonly source?: UpdateSource
  /** When each tier was reached (epoch ms). */
  readonly tierReachedAt: Readonly<Partial<Record<Observed, number>>>
  /** The provider's status when each tier was reached. */
  readonly statuses: Readonly<Partial<Record<Observed, string>>>
  /** The provider's status of the terminal (`trace_invalidated`, `failed`, …). */
  readonly terminalStatus?: string
  /** The failure or expiry, in words. */
  readonly reason?: string
  /** An expiry's not-found re-check (epoch ms). */
  readonly notFoundAt?: number
  /** When the latest news was observed (epoch ms). */
  readonly updatedAt: number
}

/** The key of an id in the tracks bucket. */
export function trackKey(chain: string, id: string): string {
  return `${chain}.${toToken(id)}`
}

/** What a relay's tracker update says, as a record (undefined when it says nothing about the chain). */
export function recordFromUpdate(update: LifecycleUpdate): TrackRecord | undefined {
  if (update.tier === 'unknown' && update.terminal === undefined) return undefined
  const tierReachedAt: Partial<Record<Observed, number>> = {}
  const statuses: Partial<Record<Observed, string>> = {}
  for (const tier of OBSERVED) {
    const at = update.tierReachedAt[tier]
    if (at === undefined) continue
    tierReachedAt[tier] = at
    if (tier === update.tier && update.providerStatus !== undefined) statuses[tier] = update.providerStatus
  }
  const terminal = update.terminal
  return {
    chain: update.chain,
    id: update.id,
    tier: update.tier,
    outcome: update.outcome,
    ...(terminal !== undefined ? { terminal: terminal.kind, terminalStatus: terminal.providerStatus } : {}),
    ...(update.source !== undefined ? { source: update.source } : {}),
    tierReachedAt,
    statuses,
    ...(terminal?.kind === 'expired'
      ? { reason: terminal.evidence, notFoundAt: terminal.notFoundAt }
      : terminal?.kind === 'failed'
        ? { reason: reasonOf(update) }
        : {}),
    updatedAt: terminal?.at ?? update.at,
  }
}

/**
 * `next` merged into `stored`, or `undefined` when it adds nothing (then nothing is written): a record
 * with a terminal never changes; a terminal, a higher tier, or a first known outcome at the same tier is
 * news. Reach times and statuses already recorded stay; the new ones are added.
 */
export function mergeRecords(stored: TrackRecord | undefined, next: TrackRecord): TrackRecord | undefined {
  if (!stored) return next
  if (stored.terminal !== undefined) return undefined
  const higher = tierRank(next.tier) > tierRank(stored.tier)
  const news =
    next.terminal !== undefined ||
    higher ||
    (next.tier === stored.tier && stored.outcome === 'unknown' && next.outcome !== 'unknown')
  if (!news) return undefined
  const tierReachedAt: Partial<Record<Observed, number>> = { ...stored.tierReachedAt }
  for (const [tier, at] of Object.entries(next.tierReachedAt) as [Observed, number][]) {
    // The time first recorded stays: every reader already saw it (a tracker never moves a reach time).
    tierReachedAt[tier] ??= at
  }
  return {
    ...next,
    tier: higher || next.terminal !== undefined ? next.tier : stored.tier,
    tierReachedAt,
    statuses: { ...next.statuses, ...stored.statuses },
  }
}

/** Reads a stored record; `undefined` for anything that is not one. */
export function parseRecord(value: unknown): TrackRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Partial<TrackRecord>
  if (typeof record.chain !== 'string' || typeof record.id !== 'string') return undefined
  if (!isFinalityTier(record.tier) || !isOutcome(record.outcome)) return undefined
  if (record.terminal !== undefined && !(TERMINAL_KINDS as readonly string[]).includes(record.terminal))
    return undefined
  if (typeof record.tierReachedAt !== 'object' || typeof record.statuses !== 'object') return undefined
  return record as TrackRecord
}

/**
 * The record told to a tracker as what a provider would have reported: each tier reached, at the time it
 * was reached and with the status seen then, and the terminal last. The tracker's own machine keeps tiers
 * from going down and announces one terminal, so a record told twice (a snapshot, then the same update
 * through the watch) changes nothing.
 */
export function observationsOf(record: TrackRecord): Observation[] {
  const source: UpdateSource = isUpdateSource(record.source) ? record.source : 'snapshot'
  const observations: Observation[] = []
  for (const tier of OBSERVED) {
    const at = record.tierReachedAt[tier]
    if (at === undefined || tierRank(tier) > tierRank(record.tier)) continue
    const top = tier === record.tier
    // Tiers the chain skipped (TON has no `included`) were never observed: the machine fills them in.
    if (!top && record.statuses[tier] === undefined) continue
    // A `finalized` tier would itself end the story: a failure or expiry recorded there is told alone.
    const otherEnd = record.terminal !== undefined && record.terminal !== 'finalized'
    if (top && otherEnd && tier === 'finalized') continue
    // The outcome goes with the top tier, except a failure's: the `failed` observation below brings it.
    const outcome =
      top && record.outcome !== 'unknown' && record.terminal !== 'failed' ? record.outcome : undefined
    observations.push({
      kind: 'tier',
      tier,
      ...(outcome !== undefined ? { outcome } : {}),
      providerStatus: record.statuses[tier] ?? record.terminalStatus ?? tier,
      source,
      at,
    })
  }
  const at = record.updatedAt
  const providerStatus = record.terminalStatus ?? record.terminal ?? record.tier
  switch (record.terminal) {
    case 'failed':
      observations.push({
        kind: 'failed',
        ...(record.tier !== 'unknown' ? { tier: record.tier } : {}),
        error: record.reason,
        providerStatus,
        source,
        at,
      })
      break
    case 'invalidated':
      observations.push({ kind: 'invalidated', providerStatus, source, at })
      break
    case 'expired':
      observations.push({
        kind: 'expired',
        evidence: record.reason ?? 'the relay recorded the expiry',
        notFoundAt: record.notFoundAt ?? at,
        providerStatus,
        source,
        at,
      })
      break
    default:
      break
  }
  return observations
}

function reasonOf(update: LifecycleUpdate): string {
  const error = update.error
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  if (error !== undefined) {
    try {
      return JSON.stringify(error)
    } catch {
      return String(error)
    }
  }
  return update.watchReason ?? update.terminal?.kind ?? 'unknown'
}
