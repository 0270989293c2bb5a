import { ChainstreamError } from '../errors/chainstream-error.js'

// Options are checked by the small functions below rather than by a validator library: a library's object,
// union and pipe machinery weighed 8 to 10 KB of every browser bundle, for checks that are each a line.
// The messages are the ones the library gave (`Too small: expected number to be >=1`), so errors read the
// same; a value is never quoted in them (it may be a key).

/** Where a value sits in what is checked: `['recovery', 'pageSize']`, `['tags', 1]`. */
export type OptionPath = readonly PropertyKey[]

/** One problem: where it is and what to fix. */
export interface OptionIssue {
  readonly message: string
  readonly path: OptionPath
}

/**
 * Checks one value: pushes what is wrong with it onto `issues` (under `path`) and returns it as the
 * options use it (the same value, or a normalised one, e.g. trimmed). Made by {@link optionsObject},
 * {@link finiteNumber} and the other builders of `@chainstream/core/provider`, or written by hand with
 * {@link custom}.
 */
export type Check<T> = (value: unknown, path: OptionPath, issues: OptionIssue[]) => T

/** The type a {@link Check} returns. */
export type Checked<C> = C extends Check<infer T> ? T : never

/**
 * The [Standard Schema](https://standardschema.dev) interface (v1) that zod, valibot and others implement:
 * what {@link parseOptions} accepts besides a {@link Check}.
 */
export interface StandardSchema<Output = unknown> {
  /** The interface's properties (its name keeps them apart from a schema library's own). */
  readonly '~standard': {
    /** The version of the interface. */
    readonly version: 1
    /** The library that made the schema (`'valibot'`, `'zod'`). */
    readonly vendor: string
    /** Validates a value: its output, or the issues. */
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    /** The input and output types, for type inference only. */
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined
  }
}

/** What a {@link StandardSchema} answers: the value, or the issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
      }>
    }

/** The type a {@link StandardSchema} outputs. */
export type SchemaOutput<S extends StandardSchema> = NonNullable<S['~standard']['types']>['output']

/** What {@link parseOptions} returns for a check or a schema. */
export type ParsedOptions<S> =
  S extends Check<infer T> ? T : S extends StandardSchema ? SchemaOutput<S> : never

/** The type of a value as a message names it: `string`, `array`, `null`, `NaN`, `Infinity`... */
function typeOf(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'array'
  if (typeof input === 'number' && !Number.isFinite(input)) return String(input)
  return typeof input
}

/** `Invalid input: expected number, received string`. */
const expected = (what: string, value: unknown) =>
  `Invalid input: expected ${what}, received ${typeOf(value)}`

/** Records a problem; returns the value unchanged (what a failed check returns does not matter). */
function fail<T>(issues: OptionIssue[], path: OptionPath, message: string, value?: unknown): T {
  issues.push({ message, path })
  return value as T
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `check`, or undefined when the value is. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path, issues) => (value === undefined ? undefined : check(value, path, issues))
}

/** A value `test` accepts, or `message`. */
export function custom<T>(test: (value: unknown) => boolean, message: string): Check<T> {
  return (value, path, issues) => (test(value) ? (value as T) : fail(issues, path, message, value))
}

/** A boolean; `message` replaces `Invalid input: expected boolean, received …`. */
export function boolean(message?: string): Check<boolean> {
  return (value, path, issues) =>
    typeof value === 'boolean' ? value : fail(issues, path, message ?? expected('boolean', value), value)
}

/** A string; `message` replaces `Invalid input: expected string, received …`. */
export function string(message?: string): Check<string> {
  return (value, path, issues) =>
    typeof value === 'string' ? value : fail(issues, path, message ?? expected('string', value), value)
}

/**
 * A string of at least one character; `empty` replaces `Too small: expected string to have >=1 characters`,
 * `notString` replaces `Invalid input: expected string, received …`.
 */
export function nonEmptyString(empty?: string, notString?: string): Check<string> {
  const isString = string(notString)
  return (value, path, issues) => {
    const text = isString(value, path, issues)
    return text === ''
      ? fail(issues, path, empty ?? 'Too small: expected string to have >=1 characters', text)
      : text
  }
}

/** One of `values`: `Invalid option: expected one of "sse"|"websocket"`. */
export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return (value, path, issues) =>
    values.includes(value as string)
      ? (value as T[number])
      : fail(issues, path, `Invalid option: expected one of ${values.map((v) => `"${v}"`).join('|')}`, value)
}

function numeric(
  integer: boolean,
  min: number,
  max: number,
  exclusive: boolean,
  tooSmall: string | undefined,
  notNumber: string | undefined,
): Check<number> {
  return (value, path, issues) => {
    const problem =
      typeof value !== 'number' || Number.isNaN(value) || (!integer && !Number.isFinite(value))
        ? (notNumber ?? expected('number', value))
        : integer && !Number.isSafeInteger(value)
          ? (notNumber ?? expected('int', value))
          : (exclusive ? value <= min : value < min)
            ? (tooSmall ?? `Too small: expected number to be ${exclusive ? '>' : '>='}${min}`)
            : value > max && `Too big: expected number to be <=${max}`
    return problem ? fail(issues, path, problem, value) : (value as number)
  }
}

/**
 * A finite number in `[min, max]` (NaN and ±Infinity are refused). `tooSmall` replaces
 * `Too small: expected number to be >=min`, `notNumber` replaces `Invalid input: expected number, received …`.
 */
export function finiteNumber(
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  tooSmall?: string,
  notNumber?: string,
): Check<number> {
  return numeric(false, min, max, false, tooSmall, notNumber)
}

/** A safe integer in `[min, max]`; the messages as {@link finiteNumber}'s (`expected int` for 1.5). */
export function integer(
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
  tooSmall?: string,
  notNumber?: string,
): Check<number> {
  return numeric(true, min, max, false, tooSmall, notNumber)
}

/** A finite number greater than `min`: `Too small: expected number to be >0`. */
export function above(min: number): Check<number> {
  return numeric(false, min, Number.POSITIVE_INFINITY, true, undefined, undefined)
}

/** An array whose every item passes `item` (each problem named by its index: `tags.1`). */
export function arrayOf<T>(item: Check<T>): Check<T[]> {
  return (value, path, issues) =>
    Array.isArray(value)
      ? value.map((entry, index) => item(entry, [...path, index], issues))
      : fail(issues, path, expected('array', value), value)
}

/** An object (not an array) whose every own value passes `item`, or of any values without one. */
export function recordOf<T = unknown>(item?: Check<T>): Check<Record<string, T>> {
  return (value, path, issues) => {
    if (!isObject(value)) return fail(issues, path, expected('object', value), value)
    if (!item) return value as Record<string, T>
    const output: Record<string, T> = {}
    for (const [key, entry] of Object.entries(value)) output[key] = item(entry, [...path, key], issues)
    return output
  }
}

/** `false`, or an object of any values checked in detail elsewhere (`reconnect: false | {...}`). */
export const falseOrObject: Check<false | Record<string, unknown>> = (value, path, issues) =>
  value === false || isObject(value) ? value : fail(issues, path, expected('false | object', value), value)

type Entries = Record<string, Check<unknown>>

/** The output of {@link optionsObject}: a key whose check may give undefined is optional. */
export type OptionsOf<E extends Entries> = {
  [K in keyof E as undefined extends Checked<E[K]> ? K : never]?: Checked<E[K]>
} & { [K in keyof E as undefined extends Checked<E[K]> ? never : K]: Checked<E[K]> }

/**
 * An options object: each key checked by its entry, unknown keys refused — all of them named in one
 * issue on the object (`Unrecognized keys: "trasport", "foo"`), so a typo never passes silently. A missing
 * required key gets its own check's message. `message` words the issue of a value that is not an object.
 * The output holds the keys the input has, as their checks return them.
 */
export function optionsObject<const E extends Entries>(entries: E, message?: string): Check<OptionsOf<E>> {
  return (value, path, issues) => {
    if (!isObject(value)) return fail(issues, path, message ?? expected('object', value), value)
    const output: Record<string, unknown> = {}
    for (const key in entries) {
      const result = (entries[key] as Check<unknown>)(value[key], [...path, key], issues)
      if (key in value) output[key] = result
    }
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(entries, key))
    if (unknown.length > 0) {
      const names = unknown.map((key) => `"${key}"`).join(', ')
      fail(issues, path, `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${names}`)
    }
    return output as OptionsOf<E>
  }
}

/** `a.b.0: message`, or the message alone for an issue on the whole input. */
function withPath(issue: StandardIssue): string {
  const path = (issue.path ?? [])
    .map((item) => String(typeof item === 'object' && item !== null ? (item as { key: unknown }).key : item))
    .join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/** An issue of a {@link Check} or of any Standard Schema. */
interface StandardIssue {
  readonly message: string
  readonly path?: readonly unknown[] | undefined
}

function validate(
  schema: Check<unknown> | StandardSchema,
  input: unknown,
): { value: unknown; issues?: undefined } | { issues: readonly StandardIssue[] } {
  if (typeof schema === 'function') {
    const issues: OptionIssue[] = []
    const value = schema(input, [], issues)
    return issues.length > 0 ? { issues } : { value }
  }
  const result = schema['~standard'].validate(input)
  if (result instanceof Promise) throw new TypeError('parseOptions needs a synchronous schema')
  return result
}

/**
 * Checks `input` with a {@link Check} (an {@link optionsObject}, say) or any
 * [Standard Schema](https://standardschema.dev) (zod, valibot..., with the messages it is configured with)
 * and returns its output, or throws an error naming each problem: where it is and what was expected.
 *
 * @example `Invalid stream options: reconnect.factor: Too small: expected number to be >=1`
 * @throws {ChainstreamError} `InvalidArgument` naming each bad field.
 */
export function parseOptions<S extends Check<unknown> | StandardSchema>(
  schema: S,
  input: unknown,
  what: string,
): ParsedOptions<S> {
  const result = validate(schema, input)
  if (!result.issues) return result.value as ParsedOptions<S>
  throw new ChainstreamError(
    'InvalidArgument',
    `Invalid ${what}: ${result.issues.map(withPath).join('; ')}`,
    {
      isRetryable: false,
    },
  )
}

/**
 * Checks `input` as {@link parseOptions} does, returning the first issue (`path: message`) instead of
 * throwing, or undefined when the input is valid.
 */
export function firstIssue(schema: Check<unknown> | StandardSchema, input: unknown): string | undefined {
  const issue = validate(schema, input).issues?.[0]
  return issue ? withPath(issue) : undefined
}

/** `value` when it is a number ≥ 0, `fallback` when undefined; otherwise an `InvalidArgument` naming `name`. */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ChainstreamError('InvalidArgument', `${name} must be a number ≥ 0, got ${String(value)}`)
  }
  return value
}
