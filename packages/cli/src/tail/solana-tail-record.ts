import type { FinalityTier, Outcome } from '@chainstream/core'
import type { VenumStatus, VenumUpdate } from '@chainstream/provider-venum-solana'
import type { Palette } from '../format/palette.js'
import { clock, shortId } from '../format/short.js'

/**
 * One line of `chainstream tail solana --json`: the same field names on every line (absent values are
 * `null`).
 *
 * @example
 * ```sh
 * chainstream tail solana --signature 5h… --json | jq -r 'select(.done) | "\(.signature) \(.status)"'
 * ```
 */
export interface SolanaTailRecord {
  /** Always `solana`. */
  readonly chain: 'solana'
  /** When the CLI received it (ISO 8601, UTC). */
  readonly receivedAt: string
  /** The transaction signature (base58). */
  readonly signature: string
  /** Venum's status: `landed`, `processed`, `confirmed`, `finalized`, `failed`, `timeout`, `verify-timeout` or `error`. */
  readonly status: VenumStatus
  /** The neutral tier reached so far (`landed` → `pending`, `processed` → `included`, …). */
  readonly tier: FinalityTier
  /** `success`, `failure` or `unknown`. */
  readonly outcome: Outcome
  /** The slot, when Venum gave one. */
  readonly slot: number | null
  /** The on-chain error (`failed`) or why Venum could not watch the signature (`error`). */
  readonly err: string | null
  /** `stream` (live), `snapshot` (a look-up after a (re)connect) or `poll` (fallback). */
  readonly source: VenumUpdate['source']
  /** `true` on the last line of this signature. */
  readonly done: boolean
}

/** The record of one update. */
export function solanaTailRecord(update: VenumUpdate, receivedAt: number): SolanaTailRecord {
  return {
    chain: 'solana',
    receivedAt: new Date(receivedAt).toISOString(),
    signature: update.signature,
    status: update.status,
    tier: update.tier,
    outcome: update.outcome,
    slot: update.slot ?? null,
    err: update.err ?? null,
    source: update.source,
    done: update.done,
  }
}

/** One human-readable line per update. */
export function solanaTailLine(record: SolanaTailRecord, colors: Palette): string {
  const tint =
    record.outcome === 'failure'
      ? colors.red
      : record.status === 'finalized'
        ? colors.green
        : record.done
          ? colors.magenta
          : colors.yellow
  const slot = record.slot === null ? '' : `  slot ${record.slot}`
  const err = record.err === null ? '' : colors.red(`  ${record.err}`)
  const source = record.source === 'stream' ? '' : colors.magenta(`  (${record.source})`)
  const done = record.done ? colors.bold(`  done, outcome ${record.outcome}`) : ''
  return (
    `${colors.dim(clock(Date.parse(record.receivedAt)))}  ${shortId(record.signature, 10, 6)}  ` +
    `${tint(record.status.padEnd(14))} tier ${record.tier.padEnd(9)}${slot}${err}${source}${done}`
  )
}
