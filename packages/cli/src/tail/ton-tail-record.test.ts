import type { TonEvent } from '@chainstream/provider-toncenter'
import picocolors from 'picocolors'
import { describe, expect, it } from 'vitest'
import { tonTailLine, tonTailRecord } from './ton-tail-record.js'

const A = '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
const B = '0:935B2367406833B258B37F83DF060602CCA2E6794EC88132E2DA890A81048C7A'
const TRACE = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678)
const FIELDS = ['accounts', 'chain', 'data', 'finality', 'receivedAt', 'source', 'trace', 'type']

const transactions = {
  type: 'transactions',
  finality: 'confirmed',
  trace_external_hash_norm: TRACE,
  transactions: [{ account: A }, { account: B }, { account: A }],
  source: 'backfill',
} as unknown as TonEvent

describe('the NDJSON record of a TON event', () => {
  it('has the same fields for every type, null where a type has no value', () => {
    const events = [
      transactions,
      {
        type: 'account_state_change',
        finality: 'finalized',
        account: A,
        state: { balance: '1' },
        source: 'stream',
      },
      { type: 'trace_invalidated', trace_external_hash_norm: TRACE, source: 'snapshot' },
    ] as unknown as TonEvent[]
    const records = events.map((event) => tonTailRecord(event, AT))
    for (const record of records) expect(Object.keys(record).sort()).toEqual(FIELDS)
    expect(records[0]).toMatchObject({
      chain: 'ton',
      receivedAt: '2026-01-02T03:04:05.678Z',
      finality: 'confirmed',
      trace: TRACE,
      accounts: [A, B],
      source: 'backfill',
    })
    expect(records[1]).toMatchObject({ trace: null, accounts: [A], finality: 'finalized' })
    expect(records[2]).toMatchObject({ finality: null, accounts: [], trace: TRACE })
  })

  it('is one human line with the type, finality, short trace and the source when it is not live', () => {
    const line = tonTailLine(tonTailRecord(transactions, AT), picocolors.createColors(false))
    expect(line).not.toContain('\n')
    expect(line).toMatch(
      /transactions\s+confirmed\s+trace U0quRm91…2DY= {2}3 tx of 0:CA6E…2A3E, 0:935B…8C7A {2}\(backfill\)$/,
    )
  })
})
