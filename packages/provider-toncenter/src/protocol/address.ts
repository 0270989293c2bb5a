import { ChainstreamError } from '@chainstream/core'
import { decodeBase64, encodeBase64 } from './base64.js'
import { crc16Xmodem } from './crc16.js'

/**
 * TON addresses. The streaming server speaks raw `0:HEX` (upper case in its payloads) while people paste
 * user-friendly base64 forms, so everything chainstream compares goes through {@link normalizeTonAddress}
 * first. The user-friendly layout (36 bytes: flags, workchain, 32-byte hash, CRC-16/XMODEM big-endian) is
 * the one described in the TON documentation ("Smart contract addresses", docs.ton.org).
 */

/** Flags byte of a bounceable user-friendly address. */
const BOUNCEABLE_TAG = 0x11
/** Flags byte of a non-bounceable user-friendly address. */
const NON_BOUNCEABLE_TAG = 0x51
/** Set on top of either tag when the address is meant for testnet only. */
const TESTNET_ONLY_FLAG = 0x80

const USER_FRIENDLY_LENGTH = 48
const RAW_RE = /^(-?\d+):([0-9a-fA-F]{64})$/
const CANONICAL_RAW_RE = /^(0|-1):[0-9A-F]{64}$/
const EXPECTED = 'expected raw 0:<64 hex> or a 48-character user-friendly address'

/** A TON address taken apart. */
export interface ParsedTonAddress {
  /** `0` (basechain) or `-1` (masterchain). */
  readonly workchain: 0 | -1
  /** The 32-byte account id as 64 upper-case hex digits. */
  readonly hashHex: string
  /** The canonical raw form chainstream compares with: `0:UPPERHEX`. */
  readonly raw: string
  /** How the input was written. */
  readonly form: 'raw' | 'user-friendly'
  /** User-friendly inputs only: the bounceable flag. */
  readonly bounceable?: boolean
  /** User-friendly inputs only: the testnet-only flag. */
  readonly testnetOnly?: boolean
  /** User-friendly inputs only: whether it used the url-safe alphabet (`-_`) rather than `+/`. */
  readonly urlSafe?: boolean
}

/** Options of {@link toUserFriendly}. */
export interface UserFriendlyOptions {
  /** Set the bounceable flag (`EQ…`) or not (`UQ…`). @default true */
  bounceable?: boolean
  /** Set the testnet-only flag (`kQ…` / `0Q…`). @default false */
  testnetOnly?: boolean
  /** Use the url-safe alphabet (`-_`) rather than the standard one (`+/`). @default true */
  urlSafe?: boolean
}

function invalid(input: string, why: string): ChainstreamError {
  const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input
  return new ChainstreamError('InvalidArgument', `Invalid TON address "${shown}": ${why}, ${EXPECTED}`, {
    isRetryable: false,
  })
}

/**
 * Parses a TON address in any common form: raw (`0:…`, `-1:…`, hex in any case) or user-friendly
 * (48 characters of standard or url-safe base64; bounceable or not; testnet flag or not). The checksum of a
 * user-friendly address is verified.
 *
 * @throws {ChainstreamError} `InvalidArgument` saying what is wrong with the input.
 * @example
 * ```ts
 * parseTonAddress('EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF').raw
 * // '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
 * ```
 */
export function parseTonAddress(input: string): ParsedTonAddress {
  if (typeof input !== 'string') throw invalid(String(input), 'not a string')
  if (input === '') throw invalid(input, 'empty')
  if (input.includes(':')) return parseRaw(input)
  return parseUserFriendly(input)
}

function parseRaw(input: string): ParsedTonAddress {
  const match = RAW_RE.exec(input)
  if (!match) {
    const [workchainText = '', hash = ''] = input.split(':', 2)
    if (!/^-?\d+$/.test(workchainText))
      throw invalid(input, `the workchain "${workchainText}" is not a number`)
    if (!/^[0-9a-fA-F]*$/.test(hash)) throw invalid(input, 'the account id is not hexadecimal')
    throw invalid(input, `the account id has ${hash.length} hex digits instead of 64`)
  }
  const workchain = workchainOf(input, Number(match[1]), match[1] as string)
  const hashHex = (match[2] as string).toUpperCase()
  return { workchain, hashHex, raw: `${workchain}:${hashHex}`, form: 'raw' }
}

function workchainOf(input: string, value: number, text: string): 0 | -1 {
  if (text === '0' && value === 0) return 0
  if (text === '-1' && value === -1) return -1
  throw invalid(input, `workchain ${text} is not 0 (basechain) or -1 (masterchain)`)
}

function parseUserFriendly(input: string): ParsedTonAddress {
  if (input.length !== USER_FRIENDLY_LENGTH) {
    throw invalid(input, `a user-friendly address has 48 characters, this one has ${input.length}`)
  }
  const bytes = decodeBase64(input)
  if (bytes?.length !== 36) throw invalid(input, 'not base64')
  const tag = bytes[0] as number
  const baseTag = tag & ~TESTNET_ONLY_FLAG
  if (baseTag !== BOUNCEABLE_TAG && baseTag !== NON_BOUNCEABLE_TAG) {
    throw invalid(input, `unknown flags byte 0x${tag.toString(16).padStart(2, '0')}`)
  }
  const expected = crc16Xmodem(bytes, 34)
  const actual = ((bytes[34] as number) << 8) | (bytes[35] as number)
  if (expected !== actual) throw invalid(input, 'checksum mismatch (a character is wrong)')
  const workchainByte = bytes[1] as number
  const workchainValue = workchainByte > 127 ? workchainByte - 256 : workchainByte
  const workchain = workchainOf(input, workchainValue, String(workchainValue))
  let hashHex = ''
  for (let i = 2; i < 34; i++) hashHex += (bytes[i] as number).toString(16).padStart(2, '0')
  hashHex = hashHex.toUpperCase()
  return {
    workchain,
    hashHex,
    raw: `${workchain}:${hashHex}`,
    form: 'user-friendly',
    bounceable: baseTag === BOUNCEABLE_TAG,
    testnetOnly: (tag & TESTNET_ONLY_FLAG) !== 0,
    urlSafe: !/[+/]/.test(input),
  }
}

/**
 * The canonical raw form of any TON address — `0:` or `-1:` followed by 64 upper-case hex digits, the way
 * the streaming server writes addresses in its payloads. Use it before comparing addresses.
 *
 * @throws {ChainstreamError} `InvalidArgument` for anything that is not a valid address.
 * @example
 * ```ts
 * normalizeTonAddress('UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA')
 * // '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
 * ```
 */
export function normalizeTonAddress(input: string): string {
  // Payload addresses are already canonical: skip the work for them.
  if (typeof input === 'string' && CANONICAL_RAW_RE.test(input)) return input
  return parseTonAddress(input).raw
}

/** Whether `input` is a valid TON address in any accepted form (checksum included). */
export function isTonAddress(input: string): boolean {
  try {
    parseTonAddress(input)
    return true
  } catch {
    return false
  }
}

/**
 * Formats any TON address as a user-friendly one.
 *
 * @throws {ChainstreamError} `InvalidArgument` when `address` is not a valid address.
 * @example
 * ```ts
 * toUserFriendly('0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e', { bounceable: false })
 * // 'UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA'
 * ```
 */
export function toUserFriendly(address: string, options: UserFriendlyOptions = {}): string {
  const { workchain, hashHex } = parseTonAddress(address)
  const bytes = new Uint8Array(36)
  const tag = options.bounceable === false ? NON_BOUNCEABLE_TAG : BOUNCEABLE_TAG
  bytes[0] = options.testnetOnly === true ? tag | TESTNET_ONLY_FLAG : tag
  bytes[1] = workchain & 0xff
  for (let i = 0; i < 32; i++) bytes[2 + i] = Number.parseInt(hashHex.slice(i * 2, i * 2 + 2), 16)
  const crc = crc16Xmodem(bytes, 34)
  bytes[34] = crc >> 8
  bytes[35] = crc & 0xff
  return encodeBase64(bytes, options.urlSafe !== false)
}
