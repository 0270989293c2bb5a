import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { firstIssue, optionsObject, parseOptions } from './options.js'

const schema = optionsObject({
  name: v.pipe(v.string('name is required'), v.minLength(1)),
  mode: v.optional(v.picklist(['fast', 'safe'])),
  delayMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1000))),
  count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
  rate: v.optional(v.pipe(v.number(), v.gtValue(0))),
  nested: v.optional(optionsObject({ everyMs: v.number() }, 'must be an object like { everyMs: 1 }')),
  tags: v.optional(v.array(v.string())),
  flag: v.optional(v.union([v.literal(false), v.record(v.string(), v.unknown())])),
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

describe('parseOptions with valibot schemas', () => {
  it('returns the output of a valid input', () => {
    expect(parseOptions(schema, { name: 'a', mode: 'safe', delayMs: 5 }, 'test options')).toEqual({
      name: 'a',
      mode: 'safe',
      delayMs: 5,
    })
  })

  it('names each bad field and what was expected, in the words of the previous validator', () => {
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
    const envelope = v.looseObject({ items: v.array(v.looseObject({ id: v.string() })) })
    expect(firstIssue(envelope, { items: [{ id: 'a' }], more: 1 })).toBeUndefined()
    expect(firstIssue(envelope, { items: [{ id: 1 }] })).toBe(
      'items.0.id: Invalid input: expected string, received number',
    )
    expect(firstIssue(envelope, {})).toBe('items: Required')
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
})
