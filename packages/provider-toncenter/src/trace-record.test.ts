import { describe, expect, it } from 'vitest'
import type { TraceScopedNotification } from './protocol/notifications.js'
import { bringsNewFacts, factsOf, withFactsOf } from './trace-record.js'

const txs = (hashes: string[]): TraceScopedNotification => ({
  type: 'transactions',
  finality: 'pending',
  trace_external_hash_norm: 'T=',
  transactions: hashes.map((hash) => ({ account: '0:AA', hash, lt: '1' })) as never,
})
const trace = (hashes: string[]): TraceScopedNotification => ({
  type: 'trace',
  finality: 'pending',
  trace_external_hash_norm: 'T=',
  trace: {} as never,
  transactions: Object.fromEntries(hashes.map((hash) => [hash, { account: '0:AA', hash, lt: '1' }])) as never,
})

describe('trace record facts', () => {
  it('keeps one fact as the string itself and a few as one joined string', () => {
    expect(factsOf(txs(['a']))).toBe('a')
    expect(factsOf(txs(['a', 'b', 'c']))).toBe('a\nb\nc')
    expect(factsOf(txs([]))).toBeUndefined()
    expect(factsOf(trace(['x', 'y']))).toBe('x\ny')
  })

  it('matches whole facts only, never a part of one or a span across two', () => {
    const facts = factsOf(txs(['abc', 'de']))
    expect(bringsNewFacts(facts, txs(['abc']))).toBe(false)
    expect(bringsNewFacts(facts, txs(['de', 'abc']))).toBe(false)
    for (const part of ['ab', 'bc', 'b', 'd', 'e', 'c\nd', 'abc\nde']) {
      expect(bringsNewFacts(facts, txs([part]))).toBe(true)
    }
    expect(bringsNewFacts(factsOf(txs(['ab'])), txs(['abc']))).toBe(true)
    expect(bringsNewFacts(factsOf(txs(['abc'])), txs(['ab']))).toBe(true)
    // A fact found first inside another, then whole further on.
    expect(bringsNewFacts(factsOf(txs(['xab', 'ab'])), txs(['ab']))).toBe(false)
  })

  it('keeps facts that cannot be joined (empty, with a newline) exactly, in a Set', () => {
    const odd = factsOf(txs(['a\nb', '']))
    expect(odd).toBeInstanceOf(Set)
    expect(bringsNewFacts(odd, txs(['a\nb', '']))).toBe(false)
    expect(bringsNewFacts(odd, txs(['a']))).toBe(true)
    const single = factsOf(txs(['a\nb']))
    expect(bringsNewFacts(single, txs(['a\nb']))).toBe(false)
    expect(bringsNewFacts(factsOf(txs(['a', 'b'])), txs(['a\nb']))).toBe(true)
    expect(bringsNewFacts(factsOf(txs(['a'])), txs(['']))).toBe(true)
  })

  it('adds the facts of a same-finality snapshot that brought news, growing into a Set when many', () => {
    let facts = withFactsOf(factsOf(txs(['a'])), txs(['b', 'a']))
    expect(facts).toBe('a\nb')
    const many = Array.from({ length: 20 }, (_, i) => `tx${i}`)
    facts = withFactsOf(facts, txs(many))
    expect(facts).toBeInstanceOf(Set)
    expect(bringsNewFacts(facts, txs(['a', 'b', ...many]))).toBe(false)
    expect(bringsNewFacts(facts, txs(['tx20']))).toBe(true)
  })
})
