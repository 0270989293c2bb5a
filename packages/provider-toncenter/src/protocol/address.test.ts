import { isChainstreamError } from '@chainstream/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTonAddress, normalizeTonAddress, parseTonAddress, toUserFriendly } from './address.js'
import { crc16Xmodem } from './crc16.js'

// Published vectors for one account: the TON documentation, "Smart contract addresses"
// (docs.ton.org, learn/overviews/addresses: the user-friendly examples block) and the TON cookbook
// (docs.ton.org/v3/guidelines/dapps/cookbook, "Working with contract addresses"). Their checksums were
// also recomputed independently with CRC-16/XMODEM.
const RAW_LOWER = '0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e'
const RAW = RAW_LOWER.toUpperCase()
const BOUNCEABLE = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'
const BOUNCEABLE_STANDARD = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff+W72r5gqPrHF'
const NON_BOUNCEABLE = 'UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA'
const TESTNET_BOUNCEABLE = 'kQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPgpP'
const TESTNET_NON_BOUNCEABLE = '0QDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPleK'
// TON Center's API v2 docs (unpackAddress/packAddress examples): the same address in both alphabets.
const TONCENTER_URL_SAFE = 'EQApAj3rEnJJSxEjEHVKrH3QZgto_MQMOmk8l72azaXlY1zB'
const TONCENTER_STANDARD = 'EQApAj3rEnJJSxEjEHVKrH3QZgto/MQMOmk8l72azaXlY1zB'
const TONCENTER_RAW = '0:29023DEB1272494B112310754AAC7DD0660B68FCC40C3A693C97BD9ACDA5E563'
// The masterchain elector contract, as listed in public address books (Ef8zMz…M0vF).
const ELECTOR = 'Ef8zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM0vF'
const ELECTOR_RAW = `-1:${'3'.repeat(64)}`

function expectInvalid(input: string, why: RegExp) {
  try {
    parseTonAddress(input)
  } catch (error) {
    expect(isChainstreamError(error, 'InvalidArgument')).toBe(true)
    const message = (error as Error).message
    expect(message).toContain('Invalid TON address "')
    expect(message).toMatch(why)
    expect(message).toContain('expected raw 0:<64 hex> or a 48-character user-friendly address')
    return
  }
  throw new Error(`${input} was accepted`)
}

describe('TON addresses', () => {
  it('computes CRC-16/XMODEM (check value of "123456789" is 0x31C3)', () => {
    expect(crc16Xmodem(new TextEncoder().encode('123456789'))).toBe(0x31c3)
  })

  it('normalises the documented user-friendly forms to one upper-case raw address', () => {
    for (const form of [
      BOUNCEABLE,
      BOUNCEABLE_STANDARD,
      NON_BOUNCEABLE,
      TESTNET_BOUNCEABLE,
      TESTNET_NON_BOUNCEABLE,
    ]) {
      expect(normalizeTonAddress(form)).toBe(RAW)
    }
    expect(normalizeTonAddress(RAW_LOWER)).toBe(RAW)
    expect(normalizeTonAddress(RAW)).toBe(RAW)
  })

  it('reads the flags: bounceable, testnet-only, alphabet', () => {
    expect(parseTonAddress(BOUNCEABLE)).toMatchObject({
      form: 'user-friendly',
      bounceable: true,
      testnetOnly: false,
    })
    expect(parseTonAddress(NON_BOUNCEABLE)).toMatchObject({
      bounceable: false,
      testnetOnly: false,
      urlSafe: true,
    })
    expect(parseTonAddress(TESTNET_BOUNCEABLE)).toMatchObject({ bounceable: true, testnetOnly: true })
    expect(parseTonAddress(TESTNET_NON_BOUNCEABLE)).toMatchObject({ bounceable: false, testnetOnly: true })
    expect(parseTonAddress(BOUNCEABLE_STANDARD).urlSafe).toBe(false)
    expect(parseTonAddress(RAW_LOWER)).toEqual({ workchain: 0, hashHex: RAW.slice(2), raw: RAW, form: 'raw' })
  })

  it('accepts url-safe and standard base64 for the same address (TON Center docs vector)', () => {
    expect(normalizeTonAddress(TONCENTER_URL_SAFE)).toBe(TONCENTER_RAW)
    expect(normalizeTonAddress(TONCENTER_STANDARD)).toBe(TONCENTER_RAW)
  })

  it('handles the masterchain (-1) in both forms', () => {
    expect(normalizeTonAddress(ELECTOR)).toBe(ELECTOR_RAW)
    expect(toUserFriendly(ELECTOR_RAW)).toBe(ELECTOR)
    expect(normalizeTonAddress(`-1:${'a'.repeat(64)}`)).toBe(`-1:${'A'.repeat(64)}`)
  })

  it('formats raw addresses in every documented user-friendly form', () => {
    expect(toUserFriendly(RAW_LOWER)).toBe(BOUNCEABLE)
    expect(toUserFriendly(RAW, { urlSafe: false })).toBe(BOUNCEABLE_STANDARD)
    expect(toUserFriendly(RAW, { bounceable: false })).toBe(NON_BOUNCEABLE)
    expect(toUserFriendly(RAW, { testnetOnly: true })).toBe(TESTNET_BOUNCEABLE)
    expect(toUserFriendly(NON_BOUNCEABLE, { bounceable: false, testnetOnly: true })).toBe(
      TESTNET_NON_BOUNCEABLE,
    )
    expect(toUserFriendly(TONCENTER_RAW, { urlSafe: false })).toBe(TONCENTER_STANDARD)
  })

  it('rejects a wrong checksum', () => {
    expectInvalid('EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHG', /checksum mismatch/)
    // One changed character in the hash part.
    expectInvalid('EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqQrHF', /checksum mismatch/)
  })

  it('rejects bad lengths', () => {
    expectInvalid(BOUNCEABLE.slice(0, 47), /48 characters, this one has 47/)
    expectInvalid(`${BOUNCEABLE}A`, /this one has 49/)
    expectInvalid(`0:${'a'.repeat(63)}`, /63 hex digits instead of 64/)
    expectInvalid(`0:${'a'.repeat(65)}`, /65 hex digits/)
    expectInvalid('', /empty/)
  })

  it('rejects bad workchains', () => {
    expectInvalid(`1:${'a'.repeat(64)}`, /workchain 1 is not 0/)
    expectInvalid(`00:${'a'.repeat(64)}`, /workchain 00/)
    expectInvalid(`x:${'a'.repeat(64)}`, /workchain "x" is not a number/)
    // A correctly checksummed user-friendly address with workchain byte 0x05.
    const bytes = new Uint8Array(36)
    bytes[0] = 0x11
    bytes[1] = 5
    const crc = crc16Xmodem(bytes, 34)
    bytes[34] = crc >> 8
    bytes[35] = crc & 0xff
    const friendly = Buffer.from(bytes).toString('base64url')
    expectInvalid(friendly, /workchain 5 is not 0/)
  })

  it('rejects non-hex raw ids, non-base64 text and unknown flag bytes', () => {
    expectInvalid(`0:${'g'.repeat(64)}`, /not hexadecimal/)
    expectInvalid(`${'!'.repeat(48)}`, /not base64/)
    const bytes = Buffer.from(BOUNCEABLE, 'base64url')
    bytes[0] = 0x22
    const crc = crc16Xmodem(bytes, 34)
    bytes[34] = crc >> 8
    bytes[35] = crc & 0xff
    expectInvalid(bytes.toString('base64url'), /unknown flags byte 0x22/)
    expect(isTonAddress('not-an-address')).toBe(false)
    expect(isTonAddress(NON_BOUNCEABLE)).toBe(true)
  })

  it('round-trips any account id through every user-friendly form (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(0, -1),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (hash, workchain, bounceable, testnetOnly, urlSafe) => {
          const raw = `${workchain}:${Buffer.from(hash).toString('hex').toUpperCase()}`
          const friendly = toUserFriendly(raw, { bounceable, testnetOnly, urlSafe })
          expect(friendly).toHaveLength(48)
          const parsed = parseTonAddress(friendly)
          expect(parsed).toMatchObject({ raw, bounceable, testnetOnly })
        },
      ),
    )
  })
})
