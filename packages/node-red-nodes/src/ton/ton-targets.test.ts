import { describe, expect, it } from 'vitest'
import { targetsOf, withoutTargets, withTargets } from './ton-targets.js'
import { toUserSubscription } from './ton-user-subscription.js'

const FRIENDLY = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'
const RAW = '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
const HASH = Buffer.alloc(32, 9).toString('base64')

describe('control message targets', () => {
  it('sorts strings into addresses and trace hashes', () => {
    expect(targetsOf(`${FRIENDLY}, ${HASH}`)).toEqual({ addresses: [RAW], traceExternalHashNorms: [HASH] })
    expect(targetsOf([RAW, Buffer.alloc(32, 9).toString('hex')])).toEqual({
      addresses: [RAW],
      traceExternalHashNorms: [HASH],
    })
    expect(targetsOf({ addresses: [FRIENDLY], traceHashes: HASH })).toEqual({
      addresses: [RAW],
      traceExternalHashNorms: [HASH],
    })
    expect(() => targetsOf('hello')).toThrow(/neither a TON address nor a trace hash/)
    expect(() => targetsOf({ addresses: [HASH] })).toThrow()
  })

  it('adds targets (a hash brings the trace type) and removes them', () => {
    const base = toUserSubscription({ types: ['transactions'], minFinality: 'pending' })
    const added = toUserSubscription(withTargets(base, targetsOf([FRIENDLY, HASH])))
    expect(added.types).toEqual(['transactions', 'trace'])
    expect(added.addresses).toEqual([RAW])
    const removed = toUserSubscription(withoutTargets(added, targetsOf(HASH)))
    expect(removed.traceExternalHashNorms).toEqual([])
    expect(toUserSubscription(withoutTargets(added, undefined)).addresses).toEqual([])
  })

  it('refuses addresses for a node that streams only traces', () => {
    const traceOnly = toUserSubscription({ types: ['trace'] })
    expect(() => withTargets(traceOnly, targetsOf(FRIENDLY))).toThrow(/no address event types/)
  })
})
