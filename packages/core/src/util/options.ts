import * as v from 'valibot'
import { ChainstreamError } from '../errors/chainstream-error.js'

// Valibot (its modular functions: a bundle keeps only those used) validates the options and envelopes of
// the runtime path. Its messages are chainstream's, written below and passed per parse: nothing global
// changes, so an application's own valibot setup is untouched.

/**
 * The [Standard Schema](https://standardschema.dev) interface (v1) that zod, valibot and others implement:
 * what {@link parseOptions} accepts.
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

type Issue = v.BaseIssue<unknown>

/** The type of a value as a message names it: `string`, `array`, `null`, `NaN`, `Infinity`... */
function typeOf(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'array'
  if (typeof input === 'number' && !Number.isFinite(input)) return String(input)
  return typeof input
}

/**
 * The message of an issue no schema wrote its own for, e.g. `Too small: expected number to be >=1` or
 * `Invalid option: expected one of "sse"|"websocket"`. The value itself is never quoted (it may be a key).
 */
export function describeIssue(issue: Issue): string {
  const { type, requirement: limit } = issue
  const got = typeOf(issue.input)
  const expected = issue.expected
    ?.replace(/^\((.*)\)$/, '$1')
    .replace(/\b(?:Object|Array)\b/g, (name) => name.toLowerCase())
  switch (type) {
    case 'min_value':
      return `Too small: expected number to be >=${limit}`
    case 'gt_value':
      return `Too small: expected number to be >${limit}`
    case 'max_value':
      return `Too big: expected number to be <=${limit}`
    case 'min_length':
      return `Too small: expected ${got} to have >=${limit} ${got === 'string' ? 'characters' : 'items'}`
    case 'safe_integer':
      return `Invalid input: expected int, received ${got}`
    case 'finite':
      return `Invalid input: expected number, received ${got}`
    case 'url':
      return 'Invalid URL'
    case 'picklist':
      return `Invalid option: expected one of ${expected?.replaceAll(' | ', '|')}`
    case 'literal':
    case 'union':
      return `Invalid input: expected ${expected}, received ${got}`
  }
  if (issue.kind !== 'schema' || type === 'custom') return 'Invalid input'
  // A required key that is absent.
  if (issue.input === undefined && expected?.startsWith('"')) return 'Required'
  return `Invalid input: expected ${type.replace(/^(?:strict|loose)_/, '')}, received ${got}`
}

/**
 * A strict object schema for options: unknown keys are refused, all of them named in one issue on the
 * object (`Unrecognized keys: "trasport", "foo"`), so a typo never passes silently; a missing required key
 * gets its own schema's message. `message` words the issue of a value that is not an object at all.
 */
export function optionsObject<const Entries extends v.ObjectEntries>(
  entries: Entries,
  message?: string,
): v.StrictObjectSchema<Entries, (issue: Issue) => string> {
  return v.strictObject(entries, (issue) => {
    const at = issue.path?.[issue.path.length - 1] as { key: string; input: object } | undefined
    if (issue.expected === 'never' && at) {
      const unknown = Object.keys(at.input).filter((key) => !Object.hasOwn(entries, key))
      issue.path?.pop()
      return `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`
    }
    if (at) {
      const missing = v.safeParse(entries[at.key] as v.GenericSchema, undefined, { message: describeIssue })
      return missing.issues?.[0]?.message ?? describeIssue(issue)
    }
    return message ?? describeIssue(issue)
  })
}

/** `a.b.0: message`, or the message alone for an issue on the whole input. */
function withPath(issue: AnyIssue): string {
  const path = (issue.path ?? [])
    .map((item) => String(typeof item === 'object' && item !== null ? (item as { key: unknown }).key : item))
    .join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/**
 * Validates `input` with a schema — any [Standard Schema](https://standardschema.dev) (valibot, zod...);
 * valibot schemas get chainstream's English messages — and returns its output, or throws an error naming
 * each problem: where it is and what was expected.
 *
 * @example `Invalid stream options: reconnect.factor: Too small: expected number to be >=1`
 * @throws {ChainstreamError} `InvalidArgument` naming each bad field.
 */
export function parseOptions<S extends StandardSchema>(
  schema: S,
  input: unknown,
  what: string,
): SchemaOutput<S> {
  const result = validate(schema, input)
  if (!result.issues) return result.value as SchemaOutput<S>
  throw new ChainstreamError(
    'InvalidArgument',
    `Invalid ${what}: ${result.issues.map(withPath).join('; ')}`,
    {
      isRetryable: false,
    },
  )
}

/**
 * Validates `input` with a schema as {@link parseOptions} does, returning the first issue (`path: message`)
 * instead of throwing, or undefined when the input is valid.
 */
export function firstIssue(schema: StandardSchema, input: unknown): string | undefined {
  const issue = validate(schema, input).issues?.[0]
  return issue ? withPath(issue) : undefined
}

/** An issue of valibot or of any Standard Schema. */
interface AnyIssue {
  readonly message: string
  readonly path?: readonly unknown[] | undefined
}

function validate(
  schema: StandardSchema,
  input: unknown,
): { value: unknown; issues?: undefined } | { issues: readonly AnyIssue[] } {
  if (schema['~standard'].vendor === 'valibot') {
    const result = v.safeParse(schema as unknown as v.GenericSchema, input, {
      message: describeIssue,
      abortPipeEarly: true,
    })
    return result.success ? { value: result.output } : { issues: result.issues }
  }
  const result = schema['~standard'].validate(input)
  if (result instanceof Promise) throw new TypeError('parseOptions needs a synchronous schema')
  return result
}

/** `value` when it is a number ≥ 0, `fallback` when undefined; otherwise an `InvalidArgument` naming `name`. */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ChainstreamError('InvalidArgument', `${name} must be a number ≥ 0, got ${String(value)}`)
  }
  return value
}
