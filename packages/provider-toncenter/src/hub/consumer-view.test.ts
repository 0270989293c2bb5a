import { describe, expect, it } from 'vitest'
import { FinalityGate } from '../finality-gate.js'
import type { TonSubscription } from '../protocol/subscription.js'
import { markRepeat } from '../repeated-snapshots.js'
import type { TonEvent } from '../ton-event.js'
import { compileConsumerFilter, eventForConsumer, TraceMemory } from './consumer-view.js'

const A = '0:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const B = '0:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const subscription = (addresses: string[]): TonSubscription =>
  ({ types: ['transactions'], addresses, traceExternalHashNorms: [], minFinality: 'pending' }) as never
// Each account a distinct string, as JSON.parse makes them.
const fresh = (address: string) => `${address.slice(0, 2)}${address.slice(2)}`
const txs = (accounts: string[]): TonEvent =>
  ({
    type: 'transactions',
    finality: 'pending',
    trace_external_hash_norm: 'T=',
    transactions: accounts.map((account, i) => ({ account: fresh(account), hash: `h${i}`, lt: `${i}` })),
    source: 'stream',
  }) as never

describe('eventForConsumer', () => {
  it("keeps exactly the consumer's transactions, whatever their order", () => {
    const filter = compileConsumerFilter(subscription([A]))
    const memory = new TraceMemory()
    const mixed = eventForConsumer(txs([A, B, A, B]), filter, memory)
    expect(mixed?.type === 'transactions' && mixed.transactions.map((tx) => tx.hash)).toEqual(['h0', 'h2'])
    const others = eventForConsumer(txs([B, A, A]), filter, memory)
    expect(others?.type === 'transactions' && others.transactions.map((tx) => tx.hash)).toEqual(['h1', 'h2'])
    expect(eventForConsumer(txs([B, B]), filter, memory)).toBeUndefined()
    const all = txs([A, A, A])
    expect(eventForConsumer(all, filter, memory)).toBe(all)
  })

  it('drops a repeat of a finality for a consumer whose own part was all delivered before', () => {
    // The shared gate lets a snapshot at a finality already delivered through when it brings new facts
    // (here B's transaction, which a recovery could not show before). The consumer of A had h0 already.
    const filterA = compileConsumerFilter(subscription([A]))
    const filterB = compileConsumerFilter(subscription([B]))
    const first = txs([A])
    const gate = new FinalityGate()
    expect(gate.admit(first as never, false)).toEqual({ pass: true })
    const repeat = txs([A, B])
    const verdict = gate.admit(repeat as never, false)
    expect(verdict).toEqual({ pass: true, repeats: 'h0' })
    if (verdict.pass && verdict.repeats !== undefined) markRepeat(repeat, verdict.repeats)
    expect(eventForConsumer(repeat, filterA, new TraceMemory())).toBeUndefined()
    const forB = eventForConsumer(repeat, filterB, new TraceMemory())
    expect(forB?.type === 'transactions' && forB.transactions.map((tx) => tx.hash)).toEqual(['h1'])
    // Not a repeat: delivered whole to whoever it concerns.
    expect(eventForConsumer(txs([A, B]), filterA, new TraceMemory())).toBeDefined()
  })
})
