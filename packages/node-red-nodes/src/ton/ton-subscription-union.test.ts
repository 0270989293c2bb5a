import { describe, expect, it } from 'vitest'
import { toStreamUpdate, unionKey, unionOf } from './ton-subscription-union.js'
import { toUserSubscription } from './ton-user-subscription.js'

const A = '0:' + 'A'.repeat(64)
const B = '0:' + 'B'.repeat(64)
const HASH = Buffer.alloc(32, 7).toString('base64')

describe('unionOf', () => {
  it('is undefined when no user has anything the server could send', () => {
    expect(unionOf([])).toBeUndefined()
    // Types without targets wait for a dynamic subscribe: no connection for them.
    expect(unionOf([toUserSubscription({ types: ['transactions', 'trace'] })])).toBeUndefined()
  })

  it('merges types and targets, keeps the lowest finality and ORs the enrichments', () => {
    const union = unionOf([
      toUserSubscription({ types: ['transactions'], addresses: [A], minFinality: 'finalized' }),
      toUserSubscription({
        types: ['actions', 'trace'],
        addresses: [B],
        traceExternalHashNorms: [HASH],
        minFinality: 'pending',
        includeMetadata: true,
      }),
    ])
    expect(union).toEqual({
      types: ['transactions', 'actions', 'trace'],
      addresses: [A, B],
      traceExternalHashNorms: [HASH],
      minFinality: 'pending',
      actionTypes: [],
      includeAddressBook: false,
      includeMetadata: true,
    })
  })

  it('asks for every action type as soon as one user of actions wants all of them', () => {
    const narrow = toUserSubscription({
      types: ['actions'],
      addresses: [A],
      actionTypes: ['jetton_transfer'],
    })
    const other = toUserSubscription({ types: ['actions'], addresses: [B], actionTypes: ['ton_transfer'] })
    const all = toUserSubscription({ types: ['actions'], addresses: [B] })
    expect(unionOf([narrow, other])?.actionTypes).toEqual(['jetton_transfer', 'ton_transfer'])
    expect(unionOf([narrow, all])?.actionTypes).toEqual([])
    // A transactions-only user does not widen the action filter.
    const transactions = toUserSubscription({ types: ['transactions'], addresses: [B] })
    expect(unionOf([narrow, transactions])?.actionTypes).toEqual(['jetton_transfer'])
  })

  it('gives equal unions equal keys whatever the order of users and targets', () => {
    const one = unionOf([
      toUserSubscription({ types: ['transactions'], addresses: [A, B] }),
      toUserSubscription({ types: ['actions'], addresses: [B] }),
    ])
    const two = unionOf([
      toUserSubscription({ types: ['actions'], addresses: [B] }),
      toUserSubscription({ types: ['transactions'], addresses: [B, A] }),
    ])
    expect(unionKey(one)).toBe(unionKey(two))
    expect(unionKey(undefined)).toBe('')
  })

  it('becomes stream options that replace every field', () => {
    const union = unionOf([toUserSubscription({ types: ['trace'], traceExternalHashNorms: [HASH] })])
    expect(union && toStreamUpdate(union)).toMatchObject({
      types: ['trace'],
      addresses: [],
      traceExternalHashNorms: [HASH],
    })
  })
})

describe('toUserSubscription', () => {
  it('normalises addresses and hashes, and refuses what the server would refuse', () => {
    const subscription = toUserSubscription({
      types: ['transactions'],
      addresses: ['EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'],
    })
    expect(subscription.addresses).toEqual([
      '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E',
    ])
    expect(() => toUserSubscription({ types: ['trace_invalidated'] })).toThrow(/always delivered/)
    expect(() => toUserSubscription({ types: ['blocks'] })).toThrow(/unknown event type/)
    expect(() => toUserSubscription({ types: ['transactions'], addresses: ['nope'] })).toThrow()
    expect(() => toUserSubscription({ types: ['transactions'], minFinality: 'final' })).toThrow(
      /unknown finality/,
    )
  })
})
