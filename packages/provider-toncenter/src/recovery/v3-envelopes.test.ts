import { describe, expect, it } from 'vitest'
import { actionsProblem, tracesProblem, transactionsProblem } from './v3-envelopes.js'

const tx = { account: '0:AB', hash: 'h', lt: '1', extra: { kept: true } }
const action = { action_id: 'a', type: 'ton_transfer' }

describe('API v3 envelope checks', () => {
  it('accept what recovery reads, whatever else the answer holds', () => {
    expect(transactionsProblem({ transactions: [tx], address_book: {} })).toBeUndefined()
    expect(actionsProblem({ actions: [action] })).toBeUndefined()
    expect(
      tracesProblem({
        traces: [
          { trace_id: 't', transactions: { h: tx }, actions: [action] },
          { trace_id: null, transactions: {}, actions: null },
          { transactions: {} },
        ],
      }),
    ).toBeUndefined()
  })

  it('name the first field that is missing or of the wrong type', () => {
    expect(transactionsProblem({})).toBe('transactions: expected an array')
    expect(transactionsProblem({ transactions: [tx, { ...tx, lt: 1 }] })).toBe(
      'transactions.1.lt: expected a string',
    )
    expect(actionsProblem({ actions: [{ type: 'x' }] })).toBe('actions.0.action_id: expected a string')
    expect(tracesProblem({ traces: {} })).toBe('traces: expected an array')
    expect(tracesProblem({ traces: [null] })).toBe('traces.0: expected an object')
    expect(tracesProblem({ traces: [{ trace_id: 5, transactions: {} }] })).toBe(
      'traces.0.trace_id: expected a string',
    )
    expect(tracesProblem({ traces: [{ trace_id: 't' }] })).toBe('traces.0.transactions: expected an object')
    expect(tracesProblem({ traces: [{ transactions: { h: { ...tx, hash: null } } }] })).toBe(
      'traces.0.transactions.h.hash: expected a string',
    )
    expect(tracesProblem({ traces: [{ transactions: {}, actions: 'all' }] })).toBe(
      'traces.0.actions: expected an array',
    )
    expect(tracesProblem({ traces: [{ transactions: {}, actions: [{ action_id: 'a' }] }] })).toBe(
      'traces.0.actions.0.type: expected a string',
    )
  })
})
