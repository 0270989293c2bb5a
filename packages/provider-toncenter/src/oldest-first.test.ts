import { describe, expect, it } from 'vitest'
import { OldestFirst } from './oldest-first.js'

describe('OldestFirst', () => {
  it('evicts in insertion order, a re-inserted key counting from its re-insertion', () => {
    const map = new Map<string, number>()
    const oldest = new OldestFirst(map)
    const evicted: string[] = []
    for (const key of ['a', 'b', 'c']) map.set(key, 0)
    // `a` moves to the back; `b` is deleted by someone else.
    map.delete('a')
    map.set('a', 1)
    map.delete('b')
    map.set('d', 0)
    map.set('e', 0)
    oldest.trim(2, (key) => evicted.push(key))
    expect(evicted).toEqual(['c', 'a'])
    expect([...map.keys()]).toEqual(['d', 'e'])
    map.set('f', 0)
    oldest.trim(2, (key) => evicted.push(key))
    expect(evicted).toEqual(['c', 'a', 'd'])
  })

  it('keeps working after the collection was emptied and filled again', () => {
    const set = new Set<number>()
    const oldest = new OldestFirst(set)
    set.add(1)
    oldest.trim(0)
    expect(set.size).toBe(0)
    set.clear()
    for (let i = 2; i <= 5; i++) set.add(i)
    oldest.trim(2)
    expect([...set]).toEqual([4, 5])
  })

  it('matches a fresh-iterator eviction on random operations', () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const fast = new Set<number>()
    const reference = new Set<number>()
    const oldest = new OldestFirst(fast)
    for (let step = 0; step < 20_000; step++) {
      const key = random(500)
      const op = random(3)
      for (const set of [fast, reference]) {
        if (op === 0) set.delete(key)
        else if (op === 1 && set.has(key)) {
          set.delete(key)
          set.add(key)
        } else set.add(key)
      }
      oldest.trim(100)
      while (reference.size > 100) reference.delete(reference.values().next().value as number)
      expect(fast.size).toBe(reference.size)
    }
    expect([...fast]).toEqual([...reference])
  })
})
