import type { TonEvent } from '@chainstream/provider-toncenter'
import { describe, expect, it } from 'vitest'
import { finalityKey, tonMessages } from './ton-messages.js'

const TRACE = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
const A = '0:AAAA000000000000000000000000000000000000000000000000000000000000'
const B = '0:BBBB000000000000000000000000000000000000000000000000000000000000'

const tx = (account: string, hash: string) => ({ account, hash, lt: '1', now: 1 }) as never

function transactions(finality: string, list: unknown[]): TonEvent {
  return {
    type: 'transactions',
    finality,
    trace_external_hash_norm: TRACE,
    transactions: list,
    source: 'stream',
  } as unknown as TonEvent
}

describe('relay messages', () => {
  it('splits transactions per account so that the content under one id never depends on the relay', () => {
    // Relay 1 follows A and B, relay 2 only A: the part for A is the same message.
    const wide = tonMessages('cs', transactions('pending', [tx(A, 'h1'), tx(B, 'h2'), tx(A, 'h3')]))
    const narrow = tonMessages('cs', transactions('pending', [tx(A, 'h1'), tx(A, 'h3')]))
    expect(wide.map((m) => m.subject)).toEqual([
      'cs.ton.transactions.pending.0_AAAA000000000000000000000000000000000000000000000000000000000000.U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY',
      'cs.ton.transactions.pending.0_BBBB000000000000000000000000000000000000000000000000000000000000.U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY',
    ])
    expect(narrow[0]?.id).toBe(wide[0]?.id)
    expect(narrow[0]?.event).toEqual(wide[0]?.event)
    expect(wide[0]?.id).not.toBe(wide[1]?.id)
  })

  it('gives every finality and every action its own id, and the same event the same id', () => {
    const pending = tonMessages('cs', transactions('pending', [tx(A, 'h1')]))[0]
    const confirmed = tonMessages('cs', transactions('confirmed', [tx(A, 'h1')]))[0]
    const again = tonMessages('cs', transactions('confirmed', [tx(A, 'h1')]))[0]
    expect(pending?.id).not.toBe(confirmed?.id)
    expect(again?.id).toBe(confirmed?.id)
    const actions = tonMessages('cs', {
      type: 'actions',
      finality: 'finalized',
      trace_external_hash_norm: TRACE,
      actions: [
        { action_id: 'x1', accounts: [A], type: 'ton_transfer' },
        { action_id: 'x2', accounts: [B], type: 'ton_transfer' },
      ],
      source: 'stream',
    } as unknown as TonEvent)
    expect(new Set(actions.map((m) => m.id)).size).toBe(2)
    expect(actions.every((m) => m.event.type === 'actions' && m.event.actions.length === 1)).toBe(true)
    // Subject tokens hold no character NATS reserves.
    for (const message of [...actions, pending, confirmed]) {
      for (const token of message?.subject.split('.') ?? []) expect(token).toMatch(/^[^\s*>]+$/)
    }
  })

  it('keys a part without its finality, for the consumer’s gate', () => {
    const pending = transactions('pending', [tx(A, 'h1')])
    const finalized = transactions('finalized', [tx(A, 'h1')])
    expect(finalityKey(pending)).toBe(finalityKey(finalized))
    expect(finalityKey(transactions('pending', [tx(B, 'h2')]))).not.toBe(finalityKey(pending))
  })
})
