import { ChainstreamError } from '@chainstream/core'
import { decodeBase64, encodeBase64, hexToBytes } from './base64.js'

const STANDARD_BASE64_HASH_RE = /^[A-Za-z0-9+/]{43}=$/

/**
 * The canonical form of a `trace_external_hash_norm`: standard base64 with padding (44 characters), the way
 * the server writes it in every notification. Also accepts the url-safe alphabet, a missing `=`, and
 * 64 hex digits, so a hash copied from an explorer compares equal to the one in the payloads.
 *
 * @throws {ChainstreamError} `InvalidArgument` when the text is not a 32-byte hash in one of those forms.
 * @example
 * ```ts
 * normalizeTraceHash('U0quRm916Jef4tJh_vgLd64knzTm4beGqn9Pjpuy2DY') // 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
 * ```
 */
export function normalizeTraceHash(input: string): string {
  if (typeof input === 'string' && STANDARD_BASE64_HASH_RE.test(input)) return input
  const text = typeof input === 'string' ? input.trim() : ''
  const bytes = /^[0-9a-fA-F]{64}$/.test(text)
    ? hexToBytes(text)
    : text.length >= 43
      ? decodeBase64(text)
      : undefined
  if (bytes?.length !== 32) {
    const shown = String(input).length > 80 ? `${String(input).slice(0, 80)}…` : String(input)
    throw new ChainstreamError(
      'InvalidArgument',
      `Invalid trace hash "${shown}": expected a trace_external_hash_norm as base64 (44 characters, as the server sends it) or 64 hex digits`,
      { isRetryable: false },
    )
  }
  return encodeBase64(bytes, false)
}
