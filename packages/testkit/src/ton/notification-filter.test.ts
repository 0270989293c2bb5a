import { describe, expect, it } from 'vitest'
import { adjustForConnection, bookNeeds } from './notification-filter.js'
import { emptySubscription, type SubscriptionState } from './subscription.js'

const A = `0:${'A'.repeat(64)}`
const B = `0:${'B'.repeat(64)}`
const C = `0:${'C'.repeat(64)}`

const sub = (patch: Partial<SubscriptionState>): SubscriptionState => ({ ...emptySubscription(), ...patch })

const txs = {
  type: 'transactions',
  finality: 'confirmed',
  trace_external_hash_norm: 'h',
  transactions: [
    { account: B, lt: '3', in_msg: { source: A }, out_msgs: [] },
    { account: A, lt: '2', in_msg: { source: null }, out_msgs: [{ destination: B }] },
    { account: C, lt: '1', in_msg: null, out_msgs: [] },
  ],
  address_book: { [A]: { a: 1 }, [B]: { b: 1 }, [C]: { c: 1 } },
  metadata: {},
}

describe('per-connection adjustment', () => {
  it('keeps subscribed accounts only and trims the books to what is left', () => {
    const remembered = new Set<string>()
    const out = adjustForConnection(
      txs,
      sub({ types: new Set(['transactions']), addresses: new Set([A]), minFinality: 'pending' }),
      remembered,
    )
    expect(out).toEqual({
      ...txs,
      transactions: [txs.transactions[1]],
      address_book: { [A]: { a: 1 }, [B]: { b: 1 } },
      metadata: {},
    })
    expect(Object.keys(out ?? {})).toEqual(Object.keys(txs))
    expect([...remembered]).toEqual(['h'])
  })

  it('drops what is below min_finality or of an unsubscribed type, without remembering it', () => {
    const remembered = new Set<string>()
    expect(
      adjustForConnection(
        txs,
        sub({ types: new Set(['transactions']), addresses: new Set([A]) }),
        remembered,
      ),
    ).toBeUndefined()
    expect(
      adjustForConnection(
        txs,
        sub({ types: new Set(['actions']), addresses: new Set([A]), minFinality: 'pending' }),
        remembered,
      ),
    ).toBeUndefined()
    expect(remembered.size).toBe(0)
  })

  it('matches jettons_change by wallet address or owner, account_state_change by account', () => {
    const jetton = {
      type: 'jettons_change',
      finality: 'finalized',
      jetton: { address: C, owner: B, jetton: A },
    }
    expect(
      adjustForConnection(
        jetton,
        sub({ types: new Set(['jettons_change']), addresses: new Set([B]) }),
        new Set(),
      ),
    ).toBe(jetton)
    expect(
      adjustForConnection(
        jetton,
        sub({ types: new Set(['jettons_change']), addresses: new Set([A]) }),
        new Set(),
      ),
    ).toBeUndefined()
    const state = { type: 'account_state_change', finality: 'confirmed', account: A, state: {} }
    expect(
      adjustForConnection(
        state,
        sub({ types: new Set(['account_state_change']), addresses: new Set([A]) }),
        new Set(),
      ),
    ).toBeUndefined()
    expect(
      adjustForConnection(
        state,
        sub({ types: new Set(['account_state_change']), addresses: new Set([A]), minFinality: 'confirmed' }),
        new Set(),
      ),
    ).toBe(state)
  })

  it('passes unknown types to any connection with a subscription', () => {
    const future = { type: 'something_new_from_the_future', payload: { a: 1 } }
    expect(adjustForConnection(future, sub({ types: new Set(['transactions']) }), new Set())).toBe(future)
    expect(adjustForConnection(future, sub({}), new Set())).toBeUndefined()
  })

  it('attaches books when any receiving connection asked for them (so others get them too)', () => {
    const asker = sub({
      types: new Set(['transactions']),
      addresses: new Set([B]),
      includeAddressBook: true,
      minFinality: 'pending',
    })
    const other = sub({ types: new Set(['transactions']), addresses: new Set([A]), minFinality: 'pending' })
    expect(bookNeeds({ type: 'transactions', finality: 'pending' }, [A, B], [asker, other])).toEqual({
      addressBook: true,
      metadata: false,
    })
    // The asker would not receive a pending event with min_finality finalized, so nothing is fetched.
    expect(
      bookNeeds(
        { type: 'transactions', finality: 'pending' },
        [A, B],
        [{ ...asker, minFinality: 'finalized' }, other],
      ),
    ).toEqual({
      addressBook: false,
      metadata: false,
    })
  })
})
