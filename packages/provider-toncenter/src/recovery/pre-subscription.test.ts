import { describe, expect, it } from 'vitest'
import { finalityRank } from '../protocol/event-types.js'
import { PreSubscriptionTraces } from './pre-subscription.js'

const CONFIRMED = finalityRank('confirmed')
const FINALIZED = finalityRank('finalized')
const T = 'trace-hash'

describe('PreSubscriptionTraces', () => {
  it('records a rank in every type, or one per type', () => {
    const records = new PreSubscriptionTraces()
    records.record(T, 100, ['a'], CONFIRMED)
    records.record(T, 100, ['b'], { transactions: FINALIZED, actions: 0 })
    expect(records.predates(T, 'a', CONFIRMED, 'transactions')).toBe(true)
    expect(records.predates(T, 'a', CONFIRMED, 'actions')).toBe(true)
    expect(records.predates(T, 'a', FINALIZED, 'actions')).toBe(false)
    // One type's snapshot recorded says nothing of the other's.
    expect(records.predates(T, 'b', FINALIZED, 'transactions')).toBe(true)
    expect(records.predates(T, 'b', CONFIRMED, 'actions')).toBe(false)
    expect(records.predates(T, 'c', CONFIRMED, 'transactions')).toBe(false)
  })

  it('keeps the highest rank per type, and counts a trace finalized before only when every type was', () => {
    const records = new PreSubscriptionTraces()
    records.record(T, 100, ['a'], { transactions: FINALIZED, actions: CONFIRMED })
    expect(records.finalizedBefore(T, ['a'])).toBe(false)
    records.record(T, 100, ['a'], { transactions: CONFIRMED, actions: FINALIZED })
    expect(records.predates(T, 'a', FINALIZED, 'transactions')).toBe(true)
    expect(records.finalizedBefore(T, ['a'])).toBe(true)
    records.record(T, 100, ['b'], FINALIZED)
    expect(records.finalizedBefore(T, ['a', 'b'])).toBe(true)
    records.prune(101)
    expect(records.predates(T, 'a', CONFIRMED, 'transactions')).toBe(false)
  })
})
