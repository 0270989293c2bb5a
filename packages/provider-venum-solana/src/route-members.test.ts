import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RouteMembers } from './route-members.js'

describe('RouteMembers', () => {
  it('behaves as a Map under any sequence of sets and deletes', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        key: fc.integer({ min: 0, max: 3 }),
        value: fc.integer(),
      }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 3 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const members = new RouteMembers<number, number>()
        const map = new Map<number, number>()
        for (const o of ops) {
          if (o.kind === 'set') {
            members.set(o.key, o.value)
            map.set(o.key, o.value)
          } else {
            expect(members.delete(o.key)).toBe(map.delete(o.key))
          }
          expect(members.size).toBe(map.size)
          for (let key = 0; key <= 3; key++) expect(members.get(key)).toBe(map.get(key))
          expect([...members.keys()].sort()).toEqual([...map.keys()].sort())
          expect(members.entries().sort((a, b) => a[0] - b[0])).toEqual([...map].sort((a, b) => a[0] - b[0]))
        }
      }),
    )
  })
})
