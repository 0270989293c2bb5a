import { describe, expect, it } from 'vitest'
import {
  compareTiers,
  FINALITY_TIERS,
  type FinalityTier,
  isFinalityTier,
  isObservedTier,
  isTierAtLeast,
  maxTier,
  tierRank,
} from './tiers.js'

describe('finality tiers', () => {
  it('are ordered unknown < pending < included < confirmed < finalized, ranks 0..4', () => {
    expect(FINALITY_TIERS).toEqual(['unknown', 'pending', 'included', 'confirmed', 'finalized'])
    expect(FINALITY_TIERS.map(tierRank)).toEqual([0, 1, 2, 3, 4])
  })

  it('compareTiers sorts weakest first and is 0 only for equal tiers', () => {
    const shuffled: FinalityTier[] = ['finalized', 'unknown', 'confirmed', 'pending', 'included']
    expect([...shuffled].sort(compareTiers)).toEqual([...FINALITY_TIERS])
    for (const a of FINALITY_TIERS) {
      for (const b of FINALITY_TIERS) {
        expect(Math.sign(compareTiers(a, b))).toBe(Math.sign(tierRank(a) - tierRank(b)))
        expect(compareTiers(a, b) === 0).toBe(a === b)
      }
    }
  })

  it('isTierAtLeast is inclusive', () => {
    expect(isTierAtLeast('confirmed', 'confirmed')).toBe(true)
    expect(isTierAtLeast('finalized', 'included')).toBe(true)
    expect(isTierAtLeast('pending', 'included')).toBe(false)
    expect(isTierAtLeast('unknown', 'unknown')).toBe(true)
  })

  it('maxTier returns the stronger tier, in either order', () => {
    expect(maxTier('pending', 'confirmed')).toBe('confirmed')
    expect(maxTier('confirmed', 'pending')).toBe('confirmed')
    expect(maxTier('included', 'included')).toBe('included')
  })

  it('isFinalityTier accepts exactly the five tiers', () => {
    for (const tier of FINALITY_TIERS) expect(isFinalityTier(tier)).toBe(true)
    for (const value of [
      'processed',
      'landed',
      'Finalized',
      '',
      'toString',
      '__proto__',
      3,
      null,
      undefined,
      {},
    ]) {
      expect(isFinalityTier(value)).toBe(false)
    }
  })

  it('isObservedTier excludes unknown', () => {
    expect(isObservedTier('unknown')).toBe(false)
    expect(isObservedTier('pending')).toBe(true)
    expect(isObservedTier('nope')).toBe(false)
  })
})
