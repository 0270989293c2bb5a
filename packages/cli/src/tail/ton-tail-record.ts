import type { TonEvent, TonEventSource, TonEventType, TonFinality } from '@chainstream/provider-toncenter'
import type { Palette } from '../format/palette.js'
import { clock, shortId } from '../format/short.js'

/**
 * One line of `chainstream tail ton --json`: the same field names on every line, whatever the event type
 * (absent values are `null`, never missing), so `jq` filters need no guards.
 *
 * @example
 * ```sh
 * chainstream tail ton --address EQ… --json | jq -r 'select(.finality == "finalized") | .trace'
 * ```
 */
export interface TonTailRecord {
  /** Always `ton`. */
  readonly chain: 'ton'
  /** When the CLI received it (ISO 8601, UTC). */
  readonly receivedAt: string
  /** The notification type: `transactions`, `actions`, `trace`, `account_state_change`, `jettons_change`, `trace_invalidated`. */
  readonly type: TonEventType
  /** `pending`, `confirmed` or `finalized`; `null` for `trace_invalidated`. */
  readonly finality: TonFinality | null
  /** The trace's `trace_external_hash_norm`; `null` for account and jetton changes. */
  readonly trace: string | null
  /** The raw addresses (`0:HEX`) the event concerns, without repeats. */
  readonly accounts: readonly string[]
  /** `stream` (live), `backfill`, `snapshot` or `reconciled` (found by recovery). */
  readonly source: TonEventSource
  /** The notification exactly as the server sent it (snake_case fields, amounts as decimal strings). */
  readonly data: TonEvent
}

const unique = (values: Iterable<string | undefined>) =>
  [...new Set(values)].filter((value): value is string => value !== undefined)

function accountsOf(event: TonEvent): string[] {
  switch (event.type) {
    case 'transactions':
      return unique(event.transactions.map((tx) => tx.account))
    case 'actions':
      return unique(event.actions.flatMap((action) => action.accounts ?? []))
    case 'trace':
      return unique(Object.values(event.transactions).map((tx) => tx.account))
    case 'account_state_change':
      return [event.account]
    case 'jettons_change':
      return [event.jetton.owner]
    case 'trace_invalidated':
      return []
  }
}

/** The record of one delivered event. */
export function tonTailRecord(event: TonEvent, receivedAt: number): TonTailRecord {
  return {
    chain: 'ton',
    receivedAt: new Date(receivedAt).toISOString(),
    type: event.type,
    finality: 'finality' in event ? event.finality : null,
    trace: 'trace_external_hash_norm' in event ? event.trace_external_hash_norm : null,
    accounts: accountsOf(event),
    source: event.source,
    data: event,
  }
}

function summary(event: TonEvent): string {
  switch (event.type) {
    case 'transactions':
      return `${event.transactions.length} tx of ${accountsOf(event)
        .map((a) => shortId(a, 6))
        .join(', ')}`
    case 'actions':
      return `${event.actions.length} action(s): ${unique(event.actions.map((a) => a.type)).join(', ')}`
    case 'trace':
      return `${Object.keys(event.transactions).length} tx in the trace`
    case 'account_state_change':
      return `${shortId(event.account, 6)} balance ${event.state.balance} (${event.state.account_status})`
    case 'jettons_change':
      return `owner ${shortId(event.jetton.owner, 6)} jetton balance ${event.jetton.balance}`
    case 'trace_invalidated':
      return 'retracted: drop what this trace showed'
  }
}

/** One human-readable line: time, type, finality, trace, what happened, and the source when not live. */
export function tonTailLine(record: TonTailRecord, colors: Palette): string {
  const finality = record.finality ?? 'invalidated'
  const tint =
    finality === 'finalized' ? colors.green : finality === 'invalidated' ? colors.red : colors.yellow
  const trace = record.trace === null ? '' : `trace ${shortId(record.trace)}  `
  const source = record.source === 'stream' ? '' : colors.magenta(`  (${record.source})`)
  return (
    `${colors.dim(clock(Date.parse(record.receivedAt)))}  ${record.type.padEnd(20)} ` +
    `${tint(finality.padEnd(11))} ${trace}${summary(record.data)}${source}`
  )
}
