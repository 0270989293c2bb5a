import { encodeBase58 } from './base58.js'
import { hashSeed, seededRandom } from './seeded-random.js'

/**
 * A valid-looking Solana transaction signature (64 bytes, base58, 87–88 characters), the same for the
 * same `n` and `seed`. For tests and benchmarks that need many distinct signatures.
 *
 * @example
 * ```ts
 * const signatures = Array.from({ length: 25 }, (_, i) => venumSignature(i))
 * ```
 */
export function venumSignature(n: number, seed = 0): string {
  const random = seededRandom(hashSeed(seed, `signature:${n}`))
  const bytes = new Uint8Array(64)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  // A first byte of at least 1 keeps the text 87–88 characters long, well inside the documented 86–88.
  bytes[0] = 1 + ((bytes[0] ?? 0) % 255)
  return encodeBase58(bytes)
}
