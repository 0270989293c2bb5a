import { venumSignature } from '@chainstream/testkit'
import { describe, expect, it } from 'vitest'
import { signaturesFrom } from './signature-input.js'

describe('signaturesFrom', () => {
  const [one, two] = [venumSignature(1), venumSignature(2)]

  it('reads a signature, a list, a separated string or an object, without duplicates', () => {
    expect(signaturesFrom(one)).toEqual([one])
    expect(signaturesFrom([one, two, one])).toEqual([one, two])
    expect(signaturesFrom(`${one}, ${two}\n`)).toEqual([one, two])
    expect(signaturesFrom({ signatures: [one], signature: two })).toEqual([two, one])
  })

  it('refuses empty and invalid input before anything is sent', () => {
    expect(() => signaturesFrom(undefined)).toThrow(/msg.payload must be/)
    expect(() => signaturesFrom(1234)).toThrow(/msg.payload must be/)
    expect(() => signaturesFrom('0OIl')).toThrow(/characters long/)
    expect(() => signaturesFrom(`${one.slice(0, -1)}0`)).toThrow(/base58/)
  })
})
