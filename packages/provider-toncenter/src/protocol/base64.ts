/**
 * A small base64 codec over bytes, written out rather than borrowed from `Buffer` or `atob` so that it
 * behaves the same in every runtime and rejects what those silently accept (whitespace, stray characters).
 * Decoding understands both alphabets — standard (`+/`) and url-safe (`-_`) — because TON addresses and
 * hashes circulate in both.
 */

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < 64; i++) {
    table[STANDARD.charCodeAt(i)] = i
    table[URL_SAFE.charCodeAt(i)] = i
  }
  return table
})()

/**
 * Decodes base64 in either alphabet, with or without `=` padding. Returns `undefined` for anything that is
 * not base64 (a foreign character, an impossible length, misplaced padding).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length
  if (end % 4 === 0 && end > 0) {
    if (text.charCodeAt(end - 1) === 61) end--
    if (text.charCodeAt(end - 1) === 61) end--
  }
  if (end % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let buffer = 0
  let bits = 0
  let written = 0
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? (VALUES[code] as number) : -1
    if (value < 0) return undefined
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[written++] = (buffer >> bits) & 0xff
    }
  }
  return out
}

/** Encodes bytes as base64: url-safe alphabet without padding, or the standard one with padding. */
export function encodeBase64(bytes: Uint8Array, urlSafe: boolean): string {
  const alphabet = urlSafe ? URL_SAFE : STANDARD
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out +=
      alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + (urlSafe ? '' : '==')
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out +=
      alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (urlSafe ? '' : '=')
  }
  return out
}

/** Lower-case hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/** Bytes of an even-length hex string (either case); `undefined` when it is not hex. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
