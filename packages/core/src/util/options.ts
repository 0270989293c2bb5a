import type * as z from 'zod/mini'
import english from 'zod/v4/locales/en.js'
import { ChainstreamError } from '../errors/chainstream-error.js'

// `zod/mini` (a fraction of full zod in a browser bundle) ships no messages of its own: its English ones
// are passed per parse rather than installed globally, so an application's own zod setup is untouched.
// Imported as a namespace, member by member, so a bundler keeps only the parts used.
const { localeError } = english()

/**
 * Parses user options with a strict `zod/mini` schema and turns failures into one `InvalidArgument`
 * error that names each bad field and what was expected, e.g.
 * `Invalid stream options: reconnect.factor: Too small: expected number to be >=1`.
 */
export function parseOptions<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input, { error: localeError })
  if (result.success) return result.data
  const details = result.error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
  throw new ChainstreamError('InvalidArgument', `Invalid ${what}: ${details}`, { isRetryable: false })
}

/** `value` when it is a number ≥ 0, `fallback` when undefined; otherwise an `InvalidArgument` naming `name`. */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ChainstreamError('InvalidArgument', `${name} must be a number ≥ 0, got ${String(value)}`)
  }
  return value
}
