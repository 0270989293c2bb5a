/**
 * A small seeded PRNG (sfc32, seeded through splitmix32): the same seed gives the same numbers on every
 * machine and Node version, which `Math.random` cannot promise. Everything a seed decides — scenario,
 * transport, faults, their timing — is drawn from one of these.
 */
export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number
  private readonly seed: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    let state = this.seed
    const splitmix = () => {
      state = (state + 0x9e3779b9) | 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = splitmix()
    this.b = splitmix()
    this.c = splitmix()
    this.d = splitmix()
    // The first outputs of sfc32 are weakly mixed; discard a few.
    for (let i = 0; i < 12; i++) this.next()
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0
    this.b >>>= 0
    this.c >>>= 0
    this.d >>>= 0
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[Math.floor(this.next() * items.length)] as T
  }

  /** A weighted pick: `{ a: 3, b: 1 }` gives `a` three times as often. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][]
    const total = entries.reduce((sum, [, w]) => sum + w, 0)
    let roll = this.next() * total
    for (const [key, weight] of entries) {
      roll -= weight
      if (roll < 0) return key
    }
    return entries[entries.length - 1]![0]
  }

  /** `count` distinct items, in a random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
    }
    return copy.slice(0, Math.min(count, copy.length))
  }

  /**
   * An independent generator for one aspect of a seed (`'faults'`, `'venum'`, …). Drawing more numbers
   * for one aspect then never shifts another, so adding a fault kind does not reshuffle old seeds' scenarios.
   * Derived from the seed and the label only, not from what was drawn so far.
   */
  fork(label: string): Prng {
    let hash = 0x811c9dc5
    for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193)
    return new Prng(Math.imul(this.seed ^ hash, 0x9e3779b1) ^ (hash >>> 7))
  }

  /** A `() => number` for APIs that take a random source (reconnect jitter). */
  source(): () => number {
    return () => this.next()
  }
}
