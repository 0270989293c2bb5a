import type { TrackRecord } from './track-record.js'

/** What a relay publishes about a Solana signature: the lifecycle news it recorded. */
export interface SolanaStatusMessage {
  readonly subject: string
  readonly id: string
  readonly record: TrackRecord
}

/**
 * The message for a news the relays recorded about a signature (a new tier, a first known outcome, the
 * terminal): subject `<prefix>.sol.<status>.<signature>`, message id signature + status, where the status
 * is Venum's (`landed`, `confirmed`, `finalized`, `failed`, …). Published after the tracks bucket took the
 * news with compare-and-set, so each news is published once whichever relay saw it; the bucket stays the
 * source of truth (a relay that dies between the two leaves the news in the bucket only).
 */
export function solanaStatusMessage(prefix: string, record: TrackRecord): SolanaStatusMessage {
  const status = record.terminal
    ? (record.terminalStatus ?? record.terminal)
    : (record.statuses[record.tier as keyof TrackRecord['statuses']] ?? record.tier)
  return {
    subject: `${prefix}.sol.${status}.${record.id}`,
    id: `sol:${record.id}:${status}`,
    record,
  }
}
