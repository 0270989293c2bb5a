/// <reference lib="dom" />
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/**
 * A fresh Solana-shaped signature (64 random bytes, base58): the Venum simulator plays any signature it
 * has not seen through a successful lifecycle, so this gives the page something to track.
 */
export function randomSignature(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(64))
  // Base58 by repeated division of the big-endian number.
  const digits: number[] = []
  for (const byte of bytes) {
    let carry = byte
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8
      digits[i] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  let text = ''
  for (const byte of bytes) {
    if (byte !== 0) break
    text += '1'
  }
  for (let i = digits.length - 1; i >= 0; i--) text += ALPHABET[digits[i] as number]
  return text
}
