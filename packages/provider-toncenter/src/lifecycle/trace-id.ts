import { ChainstreamError } from '@chainstream/core'
import { normalizeTraceHash } from '../protocol/trace-hash.js'

/**
 * Checks and normalises a TON trace id for tracking: a `trace_external_hash_norm` (32 bytes). Accepted as
 * standard base64 (44 characters with `=`, the form the server sends), url-safe base64 (with or without
 * `=`) or 64 hex digits; returned in the standard form.
 *
 * @throws {ChainstreamError} `InvalidArgument` saying what a valid id looks like.
 * @example
 * ```ts
 * validateTonTraceId('U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY') // 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
 * ```
 */
export function validateTonTraceId(id: string): string {
  try {
    return normalizeTraceHash(id)
  } catch (error) {
    const text = typeof id === 'string' ? id : String(id)
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text
    throw new ChainstreamError(
      'InvalidArgument',
      `Invalid TON trace id "${shown}": track a trace by its trace_external_hash_norm — 32 bytes as standard base64 ` +
        '(44 characters ending in "=", e.g. "U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY="), url-safe base64 ' +
        '(with or without "="), or 64 hex digits',
      { isRetryable: false, cause: error },
    )
  }
}

/**
 * A trace id in the standard form, or `undefined` when `id` is none. For ids that may be anything (a
 * removal of what was never tracked, a field of a malformed frame), where a throw would help nobody.
 */
export function safeTraceId(id: unknown): string | undefined {
  try {
    return typeof id === 'string' ? normalizeTraceHash(id) : undefined
  } catch {
    return undefined
  }
}
