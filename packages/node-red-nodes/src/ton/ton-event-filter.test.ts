import type { TonEvent } from '@chainstream/provider-toncenter'
import { describe, expect, it } from 'vitest'
import { compileFilter, eventForUser, TraceMemory } from './ton-event-filter.js'
import { toUserSubscription } from './ton-user-subscription.js'

const A = '0:' + 'A'.repeat(64)
const B = '0:' + 'B'.repeat(64)
const HASH = Buffer.alloc(32, 1).toString('base64')

const transactions = (finality: string, accounts: string[]) =>
  ({
    type: 'transactions',
    finality,
    trace_external_hash_norm: HASH,
    transactions: accounts.map((account, i) => ({ account, hash: `h${i}`, lt: String(i) })),
    source: 'stream',
  }) as unknown as TonEvent

const actions = (finality: string, list: { type: string; accounts: string[] }[]) =>
  ({
    type: 'actions',
    finality,
    trace_external_hash_norm: HASH,
    actions: list,
    source: 'stream',
  }) as unknown as TonEvent

describe('eventForUser', () => {
  it("keeps only the user's own accounts from a shared transactions event", () => {
    const filter = compileFilter(
      toUserSubscription({ types: ['transactions'], addresses: [A], minFinality: 'pending' }),
    )
    const picked = eventForUser(transactions('pending', [A, B]), filter, new TraceMemory())
    expect(picked?.type === 'transactions' && picked.transactions.map((tx) => tx.account)).toEqual([A])
    expect(eventForUser(transactions('pending', [B]), filter, new TraceMemory())).toBeUndefined()
  })

  it("applies the user's finality and action types", () => {
    const filter = compileFilter(
      toUserSubscription({
        types: ['actions'],
        addresses: [A],
        minFinality: 'confirmed',
        actionTypes: ['jetton_transfer'],
      }),
    )
    const event = actions('confirmed', [
      { type: 'jetton_transfer', accounts: [A] },
      { type: 'ton_transfer', accounts: [A] },
      { type: 'jetton_transfer', accounts: [B] },
    ])
    const picked = eventForUser(event, filter, new TraceMemory())
    expect(picked?.type === 'actions' && picked.actions).toEqual([{ type: 'jetton_transfer', accounts: [A] }])
    expect(
      eventForUser(
        actions('pending', [{ type: 'jetton_transfer', accounts: [A] }]),
        filter,
        new TraceMemory(),
      ),
    ).toBeUndefined()
  })

  it('delivers an invalidation only to users that were shown the trace before it was final', () => {
    const memory = new TraceMemory()
    const filter = compileFilter(
      toUserSubscription({ types: ['transactions'], addresses: [A], minFinality: 'pending' }),
    )
    const invalidation = {
      type: 'trace_invalidated',
      trace_external_hash_norm: HASH,
      source: 'stream',
    } as unknown as TonEvent
    expect(eventForUser(invalidation, filter, memory)).toBeUndefined()
    eventForUser(transactions('pending', [A]), filter, memory)
    expect(eventForUser(invalidation, filter, memory)).toBe(invalidation)
    // Forgotten once delivered, and a finalized trace is never invalidated.
    expect(eventForUser(invalidation, filter, memory)).toBeUndefined()
    eventForUser(transactions('pending', [A]), filter, memory)
    eventForUser(transactions('finalized', [A]), filter, memory)
    expect(memory.has(HASH)).toBe(false)
  })

  it('keeps the memory bounded', () => {
    const memory = new TraceMemory(3)
    for (const hash of ['a', 'b', 'c', 'd']) memory.remember(hash)
    expect(memory.size).toBe(3)
    expect(memory.has('a')).toBe(false)
  })
})
