import { describe, expect, it } from 'vitest'
import { crc16Xmodem, formatTonAddress, parseTonAddress } from './address.js'

const RAW = '0:83DFD552E63729B472FCBCC8C45EBCC6691702558B68EC7527E1BA403A0F31A8'
const ELECTOR = `-1:${'3'.repeat(64)}`

describe('TON address normalisation', () => {
  it('accepts raw addresses in any case and returns upper-case hex', () => {
    expect(parseTonAddress(RAW.toLowerCase())).toBe(RAW)
    expect(parseTonAddress(ELECTOR)).toBe(ELECTOR)
  })

  it('decodes the known user-friendly forms (bounceable or not, url-safe or not, testnet) to the same raw address', () => {
    for (const form of [
      'EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N',
      'UQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqEBI',
      'kQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqKYH',
    ]) {
      expect(parseTonAddress(form)).toBe(RAW)
      expect(parseTonAddress(form.replace(/-/g, '+').replace(/_/g, '/'))).toBe(RAW)
    }
    expect(parseTonAddress('Ef8zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM0vF')).toBe(ELECTOR)
  })

  it('formats what it parses', () => {
    expect(formatTonAddress(RAW)).toBe('EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N')
    expect(formatTonAddress(RAW, { bounceable: false })).toBe(
      'UQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqEBI',
    )
    expect(formatTonAddress(RAW, { testnet: true })).toBe('kQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqKYH')
    expect(formatTonAddress(ELECTOR)).toBe('Ef8zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM0vF')
    const standard = formatTonAddress(`0:${'FB'.repeat(32)}`, { urlSafe: false })
    expect(standard).toMatch(/[+/]/)
    expect(parseTonAddress(standard)).toBe(`0:${'FB'.repeat(32)}`)
  })

  it('rejects bad checksums, tags, lengths and garbage', () => {
    expect(parseTonAddress('EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2M')).toBeUndefined()
    expect(parseTonAddress('EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2')).toBeUndefined()
    expect(parseTonAddress(`0:${'a'.repeat(63)}`)).toBeUndefined()
    expect(parseTonAddress('not-an-address')).toBeUndefined()
    expect(parseTonAddress('')).toBeUndefined()
    // A valid checksum over an unknown tag byte.
    const bytes = Buffer.alloc(36)
    bytes[0] = 0x22
    bytes.writeUInt16BE(crc16Xmodem(bytes.subarray(0, 34)), 34)
    expect(parseTonAddress(bytes.toString('base64url'))).toBeUndefined()
  })

  it('computes CRC16-XMODEM', () => {
    expect(crc16Xmodem(Buffer.from('123456789'))).toBe(0x31c3)
  })
})
