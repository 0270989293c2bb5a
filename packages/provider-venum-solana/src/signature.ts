import { ChainstreamError } from '@chainstream/core'

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const DIGITS = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i

// The number being decoded, in little-endian limbs of 24 bits (three bytes each: a third of the
// iterations of a byte-wise carry loop), in one buffer for every call: a watch validates thousands of
// signatures at once. A base58 digit is less than a byte, so `text.length` limbs always hold the result.
const LIMB = 16_777_216
let scratch = new Uint32Array(96)

/** How many bytes `text` decodes to as base58, or -1 when a character is outside the alphabet. */
function base58ByteLength(text: string): number {
  let zeros = 0
  while (zeros < text.length && text.charCodeAt(zeros) === 49 /* '1' */) zeros++
  if (scratch.length < text.length) scratch = new Uint32Array(text.length)
  const limbs = scratch
  let length = 0
  // Characters are folded in four at a time: 58⁴ < 2²⁴, so a limb times the scale plus the carry stays
  // below 2⁴⁹, well inside exact integer range.
  for (let i = zeros; i < text.length; i += 4) {
    let value = 0
    let scale = 1
    for (let k = i; k < text.length && k < i + 4; k++) {
      const code = text.charCodeAt(k)
      const digit = code < 128 ? (DIGITS[code] as number) : -1
      if (digit < 0) return -1
      value = value * 58 + digit
      scale *= 58
    }
    let carry = value
    for (let j = 0; j < length; j++) {
      carry += (limbs[j] as number) * scale
      const high = Math.floor(carry / LIMB)
      limbs[j] = carry - high * LIMB
      carry = high
    }
    while (carry > 0) {
      const high = Math.floor(carry / LIMB)
      limbs[length++] = carry - high * LIMB
      carry = high
    }
  }
  if (length === 0) return zeros
  const top = limbs[length - 1] as number
  return zeros + (length - 1) * 3 + (top >= 65_536 ? 3 : top >= 256 ? 2 : 1)
}

/**
 * 256^k written in base58 (most significant digit first), for k = 0…64: a number of digits without
 * leading zeros decodes to exactly k bytes when it is at least 256^(k-1) and below 256^k. The alphabet is
 * in code-point order, so two such numbers of equal length compare as their strings do.
 */
const POWERS_OF_256: readonly string[] = (() => {
  const powers: string[] = []
  const digits = [1] // little-endian base 58
  for (let k = 0; k <= 64; k++) {
    let text = ''
    for (let i = digits.length - 1; i >= 0; i--) text += ALPHABET[digits[i] as number]
    powers.push(text)
    let carry = 0
    for (let i = 0; i < digits.length; i++) {
      const value = (digits[i] as number) * 256 + carry
      digits[i] = value % 58
      carry = Math.floor(value / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  return powers
})()

/** Whether the base58 number `text[from..]` (no leading zero digit) is below `bound` (see {@link POWERS_OF_256}). */
function isBelow(text: string, from: number, bound: string): boolean {
  const length = text.length - from
  if (length !== bound.length) return length < bound.length
  for (let i = 0; i < length; i++) {
    const a = text.charCodeAt(from + i)
    const b = bound.charCodeAt(i)
    if (a !== b) return a < b
  }
  return false
}

/**
 * Whether `text` is base58 that decodes to exactly 64 bytes, by comparing it with the bounds of a number of
 * that many bytes: a character check and two string comparisons instead of a base conversion (a watch
 * checks thousands of signatures at once). `false` says only "not that": {@link base58ByteLength} then
 * says what it is.
 */
function isBase58Of64Bytes(text: string): boolean {
  let zeros = 0
  while (zeros < text.length && text.charCodeAt(zeros) === 49 /* '1' */) zeros++
  for (let i = zeros; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 128 || (DIGITS[code] as number) < 0) return false
  }
  // Each leading '1' is a zero byte; the rest is a number of 64 - zeros bytes.
  const bytes = 64 - zeros
  if (bytes < 1) return false
  return (
    !isBelow(text, zeros, POWERS_OF_256[bytes - 1] as string) &&
    isBelow(text, zeros, POWERS_OF_256[bytes] as string)
  )
}

/**
 * Why `value` is not a Solana transaction signature as Venum accepts it, or `undefined` when it is one:
 * a base58 string of 86–88 characters (Venum's documented rule) that decodes to 64 bytes (an ed25519
 * signature).
 *
 * @example
 * ```ts
 * signatureProblem('abc') // 'is 3 characters long; a signature is 86–88 base58 characters'
 * ```
 */
export function signatureProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `is ${value === null ? 'null' : typeof value}, not a string`
  if (value.length < 86 || value.length > 88) {
    return `is ${value.length} characters long; a signature is 86–88 base58 characters`
  }
  if (isBase58Of64Bytes(value)) return undefined
  const bytes = base58ByteLength(value)
  if (bytes < 0) return 'contains characters outside the base58 alphabet (0, O, I and l are not base58)'
  if (bytes !== 64) return `decodes to ${bytes} bytes; a signature is 64 bytes`
  return undefined
}

/** True when `value` is a Solana transaction signature Venum accepts (see {@link signatureProblem}). */
export function isSolanaSignature(value: unknown): value is string {
  return signatureProblem(value) === undefined
}

const preview = (value: unknown) => {
  const text = typeof value === 'string' ? value : String(value)
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text)
}

/**
 * Checks signatures before any request and returns them without duplicates, in order. Throws one
 * `InvalidArgument` naming every bad entry and what is wrong with it.
 */
export function validateSignatures(values: unknown, what = 'signatures'): string[] {
  if (!Array.isArray(values)) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${what} must be an array of base58 transaction signatures`,
      {
        isRetryable: false,
      },
    )
  }
  const problems: string[] = []
  values.forEach((value, index) => {
    const problem = signatureProblem(value)
    if (problem) problems.push(`${what}[${index}] ${preview(value)} ${problem}`)
  })
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ')
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''
    throw new ChainstreamError('InvalidArgument', `Invalid ${what}: ${shown}${more}`, { isRetryable: false })
  }
  return [...new Set(values as string[])]
}
