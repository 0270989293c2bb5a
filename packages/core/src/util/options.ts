import type { z } from 'zod'
import { ChainstreamError } from '../errors/chainstream-error.js'

/**
 * Parses user options with a strict zod schema and turns failures into one `InvalidArgument` error that
 * names each bad field and what was expected, e.g.
 * `Invalid stream options: reconnect.factor: Too small: expected number to be >=1`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input)
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
