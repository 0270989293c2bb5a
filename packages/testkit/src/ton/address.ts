/** Tag bytes of the user-friendly form (RFC-like TON address encoding). */
const BOUNCEABLE = 0x11
const NON_BOUNCEABLE = 0x51
const TESTNET_FLAG = 0x80

const RAW = /^(-?\d{1,10}):([0-9a-fA-F]{64})$/
const FRIENDLY = /^[A-Za-z0-9+/_-]{48}$/

/** CRC16-XMODEM (poly 0x1021, init 0), the checksum of user-friendly TON addresses. */
export function crc16Xmodem(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/**
 * Normalises a TON address the way the streaming server does: raw `wc:hex` (any case) or the 48-character
 * user-friendly form (base64 or base64url, bounceable or not, testnet flag allowed, checksum verified) becomes
 * raw `wc:HEX` with upper-case hex. Returns `undefined` for anything else.
 */
export function parseTonAddress(input: string): string | undefined {
  const raw = RAW.exec(input)
  if (raw) {
    const workchain = Number(raw[1])
    if (workchain < -2147483648 || workchain > 2147483647) return undefined
    return `${workchain}:${(raw[2] as string).toUpperCase()}`
  }
  if (!FRIENDLY.test(input)) return undefined
  const bytes = Buffer.from(input.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  if (bytes.length !== 36) return undefined
  const tag = (bytes[0] as number) & ~TESTNET_FLAG
  if (tag !== BOUNCEABLE && tag !== NON_BOUNCEABLE) return undefined
  const expected = ((bytes[34] as number) << 8) | (bytes[35] as number)
  if (crc16Xmodem(bytes.subarray(0, 34)) !== expected) return undefined
  const workchain = (bytes[1] as number) > 127 ? (bytes[1] as number) - 256 : (bytes[1] as number)
  return `${workchain}:${bytes.subarray(2, 34).toString('hex').toUpperCase()}`
}

/** Options of {@link formatTonAddress}. */
export interface FormatTonAddressOptions {
  /** @default true */
  bounceable?: boolean
  /** @default false */
  testnet?: boolean
  /** base64url (`-_`) instead of standard base64 (`+/`). @default true */
  urlSafe?: boolean
}

/** Encodes a raw address (`wc:hex`, workchain -128..127) in the 48-character user-friendly form. */
export function formatTonAddress(raw: string, options: FormatTonAddressOptions = {}): string {
  const match = RAW.exec(raw)
  const workchain = match ? Number(match[1]) : Number.NaN
  if (!match || workchain < -128 || workchain > 127) throw new TypeError(`not a raw TON address: ${raw}`)
  const bytes = Buffer.alloc(36)
  bytes[0] =
    (options.bounceable === false ? NON_BOUNCEABLE : BOUNCEABLE) | (options.testnet ? TESTNET_FLAG : 0)
  bytes[1] = workchain & 0xff
  Buffer.from(match[2] as string, 'hex').copy(bytes, 2)
  bytes.writeUInt16BE(crc16Xmodem(bytes.subarray(0, 34)), 34)
  const text = bytes.toString('base64')
  return options.urlSafe === false ? text : text.replace(/\+/g, '-').replace(/\//g, '_')
}
