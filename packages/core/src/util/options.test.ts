import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  above,
  arrayOf,
  boolean,
  type Check,
  custom,
  falseOrObject,
  finiteNumber,
  firstIssue,
  integer,
  nonEmptyString,
  oneOf,
  optional,
  optionsObject,
  parseOptions,
  recordOf,
  string,
} from './options.js'

const schema = optionsObject({
  name: nonEmptyString(undefined, 'name is required'),
  mode: optional(oneOf(['fast', 'safe'])),
  delayMs: optional(finiteNumber(0, 1000)),
  count: optional(integer(1)),
  rate: optional(above(0)),
  nested: optional(optionsObject({ everyMs: finiteNumber() }, 'must be an object like { everyMs: 1 }')),
  tags: optional(arrayOf(string())),
  flag: optional(falseOrObject),
})

const message = (input: unknown) => {
  try {
    parseOptions(schema, input, 'test options')
  } catch (error) {
    expect(error).toMatchObject({ code: 'InvalidArgument', isRetryable: false })
    return (error as Error).message
  }
  return 'accepted'
}

describe('parseOptions with checks', () => {
  it('returns the output of a valid input', () => {
    expect(parseOptions(schema, { name: 'a', mode: 'safe', delayMs: 5 }, 'test options')).toEqual({
      name: 'a',
      mode: 'safe',
      delayMs: 5,
    })
  })

  it('names each bad field and what was expected, in the words of the validator it replaces', () => {
    expect(message({ name: 'a', delayMs: -1 })).toBe(
      'Invalid test options: delayMs: Too small: expected number to be >=0',
    )
    expect(message({ name: 'a', delayMs: 1001 })).toBe(
      'Invalid test options: delayMs: Too big: expected number to be <=1000',
    )
    expect(message({ name: 'a', delayMs: Number.POSITIVE_INFINITY })).toBe(
      'Invalid test options: delayMs: Invalid input: expected number, received Infinity',
    )
    expect(message({ name: 'a', delayMs: Number.NaN })).toBe(
      'Invalid test options: delayMs: Invalid input: expected number, received NaN',
    )
    expect(message({ name: 'a', delayMs: '5' })).toBe(
      'Invalid test options: delayMs: Invalid input: expected number, received string',
    )
    expect(message({ name: 'a', count: 1.5 })).toBe(
      'Invalid test options: count: Invalid input: expected int, received number',
    )
    expect(message({ name: 'a', rate: 0 })).toBe(
      'Invalid test options: rate: Too small: expected number to be >0',
    )
    expect(message({ name: '' })).toBe(
      'Invalid test options: name: Too small: expected string to have >=1 characters',
    )
    expect(message({ name: 'a', mode: 'slow' })).toBe(
      'Invalid test options: mode: Invalid option: expected one of "fast"|"safe"',
    )
    expect(message({ name: 'a', tags: ['x', 3] })).toBe(
      'Invalid test options: tags.1: Invalid input: expected string, received number',
    )
    expect(message({ name: 'a', tags: 'x' })).toBe(
      'Invalid test options: tags: Invalid input: expected array, received string',
    )
    expect(message({ name: 'a', flag: true })).toBe(
      'Invalid test options: flag: Invalid input: expected false | object, received boolean',
    )
    expect(message({ name: 'a', delayMs: -1, count: 0 })).toBe(
      'Invalid test options: delayMs: Too small: expected number to be >=0; count: Too small: expected number to be >=1',
    )
  })

  it('refuses unknown keys, naming all of them on the object they are in', () => {
    expect(message({ name: 'a', nmae: 'b', extra: 1 })).toBe(
      'Invalid test options: Unrecognized keys: "nmae", "extra"',
    )
    expect(message({ name: 'a', nested: { everyMs: 1, every: 2 } })).toBe(
      'Invalid test options: nested: Unrecognized key: "every"',
    )
  })

  it("words a missing key with its own schema's message, and a non-object with the object's", () => {
    expect(message({})).toBe('Invalid test options: name: name is required')
    expect(message({ name: 'a', nested: {} })).toBe(
      'Invalid test options: nested.everyMs: Invalid input: expected number, received undefined',
    )
    expect(message({ name: 'a', nested: 3 })).toBe(
      'Invalid test options: nested: must be an object like { everyMs: 1 }',
    )
    expect(message(null)).toBe('Invalid test options: Invalid input: expected object, received null')
  })

  it('firstIssue gives the first problem with its path, or undefined', () => {
    const envelope = optionsObject({ items: arrayOf(optionsObject({ id: string() })) })
    expect(firstIssue(envelope, { items: [{ id: 'a' }] })).toBeUndefined()
    expect(firstIssue(envelope, { items: [{ id: 1 }, { id: 2 }] })).toBe(
      'items.0.id: Invalid input: expected string, received number',
    )
    expect(firstIssue(envelope, {})).toBe('items: Invalid input: expected array, received undefined')
  })

  it('refuses NaN, ±Infinity, unsafe integers, and an array where an object is expected', () => {
    const numbers = optionsObject({
      n: optional(finiteNumber()),
      i: optional(integer(0)),
      r: optional(recordOf()),
    })
    expect(() => parseOptions(numbers, { n: Number.NEGATIVE_INFINITY }, 'o')).toThrow(
      'Invalid o: n: Invalid input: expected number, received -Infinity',
    )
    expect(() => parseOptions(numbers, { i: Number.POSITIVE_INFINITY }, 'o')).toThrow(
      'Invalid o: i: Invalid input: expected int, received Infinity',
    )
    expect(() => parseOptions(numbers, { i: Number.NaN }, 'o')).toThrow(
      'Invalid o: i: Invalid input: expected number, received NaN',
    )
    expect(() => parseOptions(numbers, { i: 2 ** 53 }, 'o')).toThrow('expected int')
    expect(() => parseOptions(numbers, { r: [] }, 'o')).toThrow(
      'Invalid o: r: Invalid input: expected object, received array',
    )
    expect(parseOptions(numbers, { n: -1e300, i: 0, r: {} }, 'o')).toEqual({ n: -1e300, i: 0, r: {} })
  })

  it('uses the messages a check is given, and returns what the checks return', () => {
    const trimmed: Check<string> = (value, path, issues) => {
      if (typeof value !== 'string') issues.push({ path, message: 'must be text' })
      return String(value).trim()
    }
    const own = optionsObject({
      key: trimmed,
      on: optional(boolean('on must be true or false')),
      fn: optional(custom<() => void>((value) => typeof value === 'function', 'must be a function')),
      headers: optional(recordOf(string())),
      size: optional(integer(1, 10, 'must be at least 1', 'must be a whole number')),
      id: optional(nonEmptyString('id is empty')),
    })
    expect(parseOptions(own, { key: ' k ', headers: { a: 'b' } }, 'own options')).toEqual({
      key: 'k',
      headers: { a: 'b' },
    })
    expect(() =>
      parseOptions(own, { key: 1, on: 1, fn: 1, headers: { a: 2 }, size: 0, id: '' }, 'own options'),
    ).toThrow(
      'Invalid own options: key: must be text; on: on must be true or false; fn: must be a function; ' +
        'headers.a: Invalid input: expected string, received number; size: must be at least 1; id: id is empty',
    )
    expect(() => parseOptions(own, { key: 'k', size: 11 }, 'own options')).toThrow(
      'size: Too big: expected number to be <=10',
    )
    expect(() => parseOptions(own, { key: 'k', size: 1.5 }, 'own options')).toThrow(
      'size: must be a whole number',
    )
    // A key given as undefined stays in the output, as it was in the input.
    expect(Object.keys(parseOptions(own, { key: 'k', on: undefined }, 'own options'))).toEqual(['key', 'on'])
  })

  it('never echoes the value it refuses', () => {
    const secret = 'sk-very-secret'
    const keyed = optionsObject({ apiKey: optional(integer()), mode: optional(oneOf(['a'])) })
    for (const input of [{ apiKey: secret }, { mode: secret }, secret]) {
      const error = (() => {
        try {
          parseOptions(keyed, input, 'keyed options')
        } catch (caught) {
          return caught as Error
        }
      })()
      expect(error?.message).toMatch(/^Invalid keyed options: /)
      expect(error?.message).not.toContain(secret)
    }
  })
})

describe('parseOptions with other Standard Schemas', () => {
  it("takes a zod schema and keeps zod's own messages", () => {
    const zodSchema = z.strictObject({ port: z.number().min(1) })
    expect(parseOptions(zodSchema, { port: 80 }, 'server options')).toEqual({ port: 80 })
    expect(() => parseOptions(zodSchema, { port: 0 }, 'server options')).toThrow(
      'Invalid server options: port: Too small: expected number to be >=1',
    )
  })

  it('takes any Standard Schema with its own messages, a path item being a key or { key }', () => {
    const standard = {
      '~standard': {
        version: 1 as const,
        vendor: 'example',
        validate: (value: unknown) =>
          value === 1 ? { value } : { issues: [{ message: 'must be 1', path: [{ key: 'x' }] }] },
      },
    }
    expect(parseOptions(standard, 1, 'one')).toBe(1)
    expect(() => parseOptions(standard, 2, 'one')).toThrow('Invalid one: x: must be 1')
  })
})
