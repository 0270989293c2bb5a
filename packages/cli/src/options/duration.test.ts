import { InvalidArgumentError } from 'commander'
import { describe, expect, it } from 'vitest'
import { parseCount, parseDuration, parseSeed } from './duration.js'

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['1.5', 1_500],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['soon', '-5s', '2 minutes', '', '1e3', '5d'])(
    'refuses %j, saying what a duration looks like',
    (text) => {
      expect(() => parseDuration(text)).toThrow(InvalidArgumentError)
      expect(() => parseDuration(text)).toThrow(/use seconds \(90\) or a number with ms, s, m or h/)
    },
  )
})

describe('parseCount and parseSeed', () => {
  it('takes positive whole numbers for --limit', () => {
    expect(parseCount('12')).toBe(12)
    for (const bad of ['0', '-1', '1.5', 'ten']) expect(() => parseCount(bad)).toThrow(InvalidArgumentError)
  })

  it('takes 0 and up for --seed', () => {
    expect(parseSeed('0')).toBe(0)
    expect(() => parseSeed('-3')).toThrow(InvalidArgumentError)
  })
})
