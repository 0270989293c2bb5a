import { describe, expect, it } from 'vitest'
import { lifecycleRequests } from './lifecycle-input.js'

const defaults = { chain: 'ton', id: '' }

describe('lifecycleRequests', () => {
  it('reads { chain, id } objects, lists, and ids whose chain comes from msg.chain or the node', () => {
    expect(
      lifecycleRequests(
        { payload: { chain: 'solana', id: 'sig', target: 'confirmed', timeoutMs: 5 } },
        defaults,
      ),
    ).toEqual([{ chain: 'solana', id: 'sig', target: 'confirmed', timeoutMs: 5 }])
    expect(lifecycleRequests({ payload: ['a', { id: 'b', chain: 'solana' }] }, defaults)).toEqual([
      { chain: 'ton', id: 'a' },
      { chain: 'solana', id: 'b' },
    ])
    expect(lifecycleRequests({ payload: 'x', chain: 'solana' }, defaults)).toEqual([
      { chain: 'solana', id: 'x' },
    ])
    expect(lifecycleRequests({ payload: { trace_external_hash_norm: 'h' } }, defaults)).toEqual([
      { chain: 'ton', id: 'h' },
    ])
  })

  it("falls back to the node's id for an inject's timestamp, and says what is missing otherwise", () => {
    expect(lifecycleRequests({ payload: 1_700_000_000_000 }, { chain: 'solana', id: 'sig' })).toEqual([
      { chain: 'solana', id: 'sig' },
    ])
    expect(() => lifecycleRequests({ payload: 1 }, defaults)).toThrow(/nothing to track/)
    expect(() => lifecycleRequests({ payload: {} }, defaults)).toThrow(/needs an id/)
    expect(() => lifecycleRequests({ payload: { id: 'x', target: 'done' } }, defaults)).toThrow(
      /target must be/,
    )
  })
})
