import { venumSignature } from '@chainstream/testkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSolanaSignature, signatureProblem, validateSignatures } from './signature.js'

describe('signature validation', () => {
  it('accepts 64-byte base58 signatures', () => {
    for (let i = 0; i < 100; i++) expect(isSolanaSignature(venumSignature(i))).toBe(true)
  })

  it('says what is wrong: type, length, alphabet, decoded size', () => {
    expect(signatureProblem(42)).toMatch(/number, not a string/)
    expect(signatureProblem('abc')).toMatch(/3 characters long/)
    expect(signatureProblem(`${venumSignature(1).slice(0, 86)}0l`)).toMatch(/base58 alphabet/)
    expect(signatureProblem('z'.repeat(88))).toMatch(/65 bytes/)
    expect(signatureProblem('1'.repeat(86))).toMatch(/86 bytes/)
  })

  it('never accepts a string with a character outside the alphabet, whatever else it holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 86, maxLength: 88 }), (text) => {
        if (/[^1-9A-HJ-NP-Za-km-z]/.test(text)) expect(isSolanaSignature(text)).toBe(false)
      }),
    )
  })

  it('deduplicates in order and lists every bad entry at once', () => {
    const [a, b] = [venumSignature(1), venumSignature(2)]
    expect(validateSignatures([a, b, a])).toEqual([a, b])
    expect(() => validateSignatures([a, 'x', 'y'])).toThrow(/signatures\[1\] "x".*signatures\[2\] "y"/)
    expect(() => validateSignatures('nope')).toThrow(/must be an array/)
  })
})

describe('base58 length, against a reference decoder', () => {
  const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  const reference = (text: string) => {
    let n = 0n
    for (const c of text) n = n * 58n + BigInt(ALPHABET.indexOf(c))
    const zeros = text.length - text.replace(/^1+/, '').length
    return zeros + (n === 0n ? 0 : Math.ceil(n.toString(16).length / 2))
  }
  const encode = (n: bigint, zeros: number) => {
    let text = ''
    for (let rest = n; rest > 0n; rest /= 58n) text = ALPHABET[Number(rest % 58n)] + text
    return '1'.repeat(zeros) + text
  }

  it('agrees with it at the edges of 64 bytes, with and without leading zero bytes', () => {
    let checked = 0
    for (let zeros = 0; zeros <= 4; zeros++) {
      for (const bytes of [63 - zeros, 64 - zeros, 65 - zeros]) {
        const low = 256n ** BigInt(bytes - 1)
        const high = 256n ** BigInt(bytes)
        for (const n of [low - 1n, low, low + 1n, high - 2n, high - 1n, high, high + 1n]) {
          const text = encode(n, zeros)
          if (text.length < 86 || text.length > 88) continue
          checked++
          const expected = reference(text)
          if (expected === 64) expect(signatureProblem(text)).toBeUndefined()
          else expect(signatureProblem(text)).toBe(`decodes to ${expected} bytes; a signature is 64 bytes`)
        }
      }
    }
    expect(checked).toBeGreaterThan(20)
  })

  it('agrees with a plain base58 decode on random strings of the alphabet', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/), (text) => {
        const expected = reference(text)
        const problem = signatureProblem(text)
        if (expected === 64) expect(problem).toBeUndefined()
        else expect(problem).toBe(`decodes to ${expected} bytes; a signature is 64 bytes`)
      }),
    )
  })
})
