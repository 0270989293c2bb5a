import { describe, expect, it } from 'vitest'
import { actionsProblem, masterchainInfoProblem, tracesProblem, transactionsProblem } from './v3-envelopes.js'

const tx = { account: '0:AB', hash: 'h', lt: '1', extra: { kept: true } }
const action = { action_id: 'a', type: 'ton_transfer' }
/** A masterchain block as TON Center's indexer writes it (toncenter/ton-indexer, `models.Block`). */
const block = {
  workchain: -1,
  shard: '-9223372036854775808',
  seqno: 51234570,
  root_hash: 'cjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwNTEyMzQ=',
  file_hash: 'ZjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwNTEyMzQ=',
  global_id: -239,
  version: 0,
  after_merge: false,
  before_split: false,
  after_split: false,
  want_merge: true,
  want_split: false,
  key_block: false,
  vert_seqno_incr: false,
  flags: 1,
  gen_utime: '1785480123',
  start_lt: '86711290000000',
  end_lt: '86711290000004',
  validator_list_hash_short: 1234567,
  gen_catchain_seqno: 98765,
  min_ref_mc_seqno: 51234566,
  prev_key_block_seqno: 51230000,
  vert_seqno: 1,
  master_ref_seqno: 0,
  rand_seed: 'cjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwNTEyMzQ=',
  created_by: 'ZjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwNTEyMzQ=',
  tx_count: 3,
  masterchain_block_ref: { workchain: -1, shard: '-9223372036854775808', seqno: 51234570 },
  prev_blocks: [{ workchain: -1, shard: '-9223372036854775808', seqno: 51234569 }],
}

describe('API v3 envelope checks', () => {
  it('accept what recovery reads, whatever else the answer holds', () => {
    expect(transactionsProblem({ transactions: [tx], address_book: {} })).toBeUndefined()
    expect(actionsProblem({ actions: [action] })).toBeUndefined()
    expect(masterchainInfoProblem({ last: block, first: { ...block, seqno: 1 } })).toBeUndefined()
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
    expect(masterchainInfoProblem({ first: block })).toBe('last.gen_utime: expected unix seconds')
    for (const gen_utime of ['', '17854.5', '-1', null, 1.5, undefined]) {
      expect(masterchainInfoProblem({ last: { ...block, gen_utime } })).toBe(
        'last.gen_utime: expected unix seconds',
      )
    }
  })
})
