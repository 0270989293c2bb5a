import { describe, expect, it } from 'vitest'
import { FinalityGate } from './finality-gate.js'
import type { TonFinality } from './protocol/event-types.js'
import type { TonNotification } from './protocol/notifications.js'

const T = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
const txs = (finality: TonFinality, hashes = ['a'], trace = T): TonNotification => ({
  type: 'transactions',
  finality,
  trace_external_hash_norm: trace,
  transactions: hashes.map((hash) => ({ account: '0:AA', hash, lt: '1', trace_id: 'tid' })) as never,
})
const actions = (finality: TonFinality): TonNotification => ({
  type: 'actions',
  finality,
  trace_external_hash_norm: T,
  actions: [{ action_id: 'x', type: 'ton_transfer' }] as never,
})
const invalidated = (trace = T): TonNotification => ({
  type: 'trace_invalidated',
  trace_external_hash_norm: trace,
})

describe('FinalityGate', () => {
  it('passes increasing finality and drops an identical repeat silently', () => {
    const gate = new FinalityGate()
    expect(gate.admit(txs('pending')).pass).toBe(true)
    expect(gate.admit(txs('pending'))).toEqual({ pass: false, reason: 'duplicate' })
    expect(gate.admit(txs('confirmed')).pass).toBe(true)
    expect(gate.admit(txs('finalized')).pass).toBe(true)
    expect(gate.admit(txs('finalized'))).toEqual({ pass: false, reason: 'duplicate' })
  })

  it('drops a lower snapshot after a higher one, with a reason to report', () => {
    const gate = new FinalityGate()
    gate.admit(txs('confirmed'))
    const verdict = gate.admit(txs('pending'))
    expect(verdict.pass).toBe(false)
    expect(verdict.pass === false && verdict.reason).toBe('stale')
  })

  it('passes a same-finality snapshot that brings new transactions', () => {
    const gate = new FinalityGate()
    gate.admit(txs('confirmed', ['a']))
    expect(gate.admit(txs('confirmed', ['a', 'b'])).pass).toBe(true)
    expect(gate.admit(txs('confirmed', ['b'])).pass).toBe(false)
  })

  it('tracks each type of a trace separately', () => {
    const gate = new FinalityGate()
    expect(gate.admit(txs('confirmed')).pass).toBe(true)
    expect(gate.admit(actions('pending')).pass).toBe(true)
    expect(gate.typesSeen(T)).toEqual(['transactions', 'actions'])
  })

  it('keeps every snapshot with keepAllSnapshots', () => {
    const gate = new FinalityGate({ keepAllSnapshots: true })
    expect(gate.admit(txs('confirmed')).pass).toBe(true)
    expect(gate.admit(txs('confirmed')).pass).toBe(true)
    expect(gate.admit(txs('pending')).pass).toBe(true)
    expect(gate.finalityOf(T)).toBe('confirmed')
  })

  it('holds traces below finalized for recovery, and releases them when finalized or invalidated', () => {
    const gate = new FinalityGate()
    gate.admit(txs('pending'))
    gate.admit(txs('confirmed', ['z'], 'other='))
    expect(gate.heldTraces()).toEqual([
      { hash: T, finality: 'pending', traceId: 'tid', types: new Map([['transactions', 'pending']]) },
      {
        hash: 'other=',
        finality: 'confirmed',
        traceId: 'tid',
        types: new Map([['transactions', 'confirmed']]),
      },
    ])
    gate.admit(txs('finalized'))
    expect(gate.heldTraces().map((t) => t.hash)).toEqual(['other='])
    gate.admit(invalidated('other='))
    expect(gate.heldTraces()).toEqual([])
  })

  it('ends the story on invalidation: the trace may start again, a repeat invalidation is dropped', () => {
    const gate = new FinalityGate()
    gate.admit(txs('confirmed'))
    expect(gate.admit(invalidated()).pass).toBe(true)
    expect(gate.admit(invalidated())).toEqual({ pass: false, reason: 'duplicate' })
    expect(gate.admit(txs('pending')).pass).toBe(true)
    expect(gate.admit(invalidated()).pass).toBe(true)
  })

  it('reports an invalidation after finalized as an anomaly and keeps the state', () => {
    const gate = new FinalityGate()
    gate.admit(txs('finalized'))
    const verdict = gate.admit(invalidated())
    expect(verdict.pass === false && verdict.reason).toBe('stale')
    expect(gate.finalityOf(T)).toBe('finalized')
  })

  it('tracks finality per trace and type: a trace stays held while one of its types is below finalized', () => {
    const gate = new FinalityGate()
    gate.admit(txs('confirmed'))
    gate.admit(actions('confirmed'))
    gate.admit(txs('finalized'))
    expect(gate.finalityOf(T, 'transactions')).toBe('finalized')
    expect(gate.finalityOf(T, 'actions')).toBe('confirmed')
    expect(gate.finalityOf(T)).toBe('finalized')
    expect(gate.heldTraces()).toEqual([
      { hash: T, finality: 'confirmed', traceId: 'tid', types: new Map([['actions', 'confirmed']]) },
    ])
    gate.admit(actions('finalized'))
    expect(gate.heldTraces()).toEqual([])
    expect(gate.hashOfTraceId('tid')).toBe(T)
  })

  it('bounds the held traces: beyond the limit the oldest is released and reported', () => {
    const gate = new FinalityGate()
    const released: string[] = []
    gate.limitHeld(2, (hash) => released.push(hash))
    for (const hash of ['one=', 'two=', 'three=']) gate.admit(txs('pending', ['a'], hash))
    expect(gate.heldTraces().map((t) => t.hash)).toEqual(['two=', 'three='])
    expect(released).toEqual(['one='])
    // Released from watching, still remembered for dedupe.
    expect(gate.admit(txs('pending', ['a'], 'one='))).toEqual({ pass: false, reason: 'duplicate' })
  })

  it('a same-finality snapshot is news exactly when it brings a transaction not yet delivered, small or large', () => {
    const gate = new FinalityGate()
    const few = ['a', 'b']
    const many = Array.from({ length: 40 }, (_, i) => `tx${i}`)
    expect(gate.admit(txs('pending', few)).pass).toBe(true)
    expect(gate.admit(txs('pending', ['b', 'a'])).pass).toBe(false)
    // Growing past the size where the record switches from a list to a set keeps every fact.
    expect(gate.admit(txs('pending', [...few, ...many.slice(0, 20)])).pass).toBe(true)
    expect(gate.admit(txs('pending', ['a', 'tx19'])).pass).toBe(false)
    expect(gate.admit(txs('pending', many)).pass).toBe(true)
    expect(gate.admit(txs('pending', [...many, ...few])).pass).toBe(false)
    // A new finality starts a new record; a large first snapshot as well.
    expect(gate.admit(txs('confirmed', many)).pass).toBe(true)
    expect(gate.admit(txs('confirmed', many.slice(5, 30))).pass).toBe(false)
    expect(gate.admit(txs('confirmed', ['a'])).pass).toBe(true)
    expect(gate.finalityOf(T, 'transactions')).toBe('confirmed')
  })

  it('counts its capacity in traces: every event type of a remembered trace stays remembered', () => {
    const gate = new FinalityGate({ capacity: 2 })
    gate.admit(txs('pending', ['a'], 'one='))
    gate.admit({ ...actions('pending'), trace_external_hash_norm: 'one=' } as TonNotification)
    gate.admit(txs('pending', ['a'], 'two='))
    expect(gate.typesSeen('one=')).toEqual(['transactions', 'actions'])
    expect(gate.admit(txs('pending', ['a'], 'one=')).pass).toBe(false)
    // A third trace pushes out the oldest one, with all of its types.
    gate.admit(txs('pending', ['a'], 'three='))
    expect(gate.typesSeen('one=')).toEqual([])
    expect(gate.typesSeen('two=')).toEqual(['transactions'])
  })

  it('holds each event type of a trace at its own finality until that type finalizes', () => {
    const gate = new FinalityGate()
    gate.admit(txs('confirmed'))
    gate.admit(actions('pending'))
    expect(gate.heldTraces()).toEqual([
      {
        hash: T,
        traceId: 'tid',
        types: new Map([
          ['transactions', 'confirmed'],
          ['actions', 'pending'],
        ]),
        finality: 'pending',
      },
    ])
    gate.admit(actions('finalized'))
    expect(gate.heldTraces()[0]?.types).toEqual(new Map([['transactions', 'confirmed']]))
    gate.admit(txs('finalized'))
    expect(gate.heldTraces()).toEqual([])
    expect(gate.isHeld(T)).toBe(false)
  })

  it('forgets the oldest traces beyond its capacity', () => {
    const gate = new FinalityGate({ capacity: 2 })
    gate.admit(txs('pending', ['a'], 'one='))
    gate.admit(txs('pending', ['a'], 'two='))
    gate.admit(txs('pending', ['a'], 'three='))
    expect(gate.admit(txs('pending', ['a'], 'one=')).pass).toBe(true)
    expect(gate.heldTraces().length).toBeLessThanOrEqual(2)
  })

  it('a recovered snapshot taken before an invalidation does not resurrect the trace; a live one may', () => {
    const gate = new FinalityGate()
    expect(gate.admit(txs('pending')).pass).toBe(true)
    expect(gate.admit(invalidated()).pass).toBe(true)
    // API v3 answered before the invalidation: its confirmed snapshot arrives after it.
    expect(gate.admit(txs('confirmed'), false)).toMatchObject({ pass: false, reason: 'stale' })
    expect(gate.admit(invalidated())).toEqual({ pass: false, reason: 'duplicate' })
    // The server itself sends the trace again (TON may retry an invalidated trace): that is news.
    expect(gate.admit(txs('pending')).pass).toBe(true)
    expect(gate.admit(txs('confirmed'), false).pass).toBe(true)
  })

  it('keeps the dedupe of a held trace beyond its capacity: the watched trace is not delivered twice', () => {
    const gate = new FinalityGate({ capacity: 2 })
    gate.admit(txs('pending', ['a'], 'held='))
    for (const hash of ['one=', 'two=', 'three=']) gate.admit(txs('finalized', ['a'], hash))
    expect(gate.isHeld('held=')).toBe(true)
    expect(gate.admit(txs('pending', ['a'], 'held='))).toEqual({ pass: false, reason: 'duplicate' })
    // The finalized ones went instead, oldest first.
    expect(gate.typesSeen('one=')).toEqual([])
    expect(gate.typesSeen('three=')).toEqual(['transactions'])
  })

  it("knows which held traces the current connection's live stream will report on", () => {
    const gate = new FinalityGate()
    const unreported = () => gate.heldTraces(true).map((t) => t.hash)
    gate.newConnection()
    gate.admit(txs('pending', ['a'], 'live='))
    gate.admit(txs('pending', ['a'], 'recovered='), false)
    expect(unreported()).toEqual(['recovered='])
    // A repeat the gate drops still tells: the server sent it on this connection.
    gate.admit(txs('pending', ['a'], 'recovered='))
    expect(unreported()).toEqual([])
    // A finalized snapshot of one type ends the reports; the type still pending keeps the trace held.
    gate.admit(actions('confirmed'))
    gate.admit(txs('finalized'))
    expect(gate.heldTraces().map((t) => t.hash)).toEqual(['live=', 'recovered=', T])
    expect(unreported()).toEqual([T])
    // A new connection reports on nothing yet.
    gate.newConnection()
    expect(unreported()).toEqual(['live=', 'recovered=', T])
  })

  it('forgets that a trace is reported on once it is invalidated, even when the invalidation is stale', () => {
    const gate = new FinalityGate()
    gate.newConnection()
    gate.admit(actions('confirmed'))
    gate.admit(txs('finalized'))
    gate.admit(actions('confirmed'))
    expect(gate.heldTraces(true)).toEqual([])
    expect(gate.admit(invalidated()).pass).toBe(false)
    expect(gate.heldTraces(true).map((t) => t.hash)).toEqual([T])
  })

  it('gives a new trace nothing of an evicted one whose record it reuses', () => {
    const gate = new FinalityGate({ capacity: 1 })
    gate.admit({ ...actions('finalized'), trace_external_hash_norm: 'one=' } as TonNotification)
    gate.admit(txs('finalized', ['x'], 'one='))
    gate.admit(txs('finalized', ['y'], 'two='))
    gate.admit(txs('pending', ['z'], 'three='))
    expect(gate.typesSeen('one=')).toEqual([])
    expect(gate.typesSeen('three=')).toEqual(['transactions'])
    expect(gate.finalityOf('three=')).toBe('pending')
    expect(gate.heldTraces()).toEqual([
      { hash: 'three=', traceId: 'tid', types: new Map([['transactions', 'pending']]), finality: 'pending' },
    ])
    // The evicted trace's facts are not the new one's.
    expect(gate.admit(txs('pending', ['x'], 'three=')).pass).toBe(true)
    expect(gate.admit(txs('pending', ['x', 'z'], 'three=')).pass).toBe(false)
  })
})

describe('FinalityGate.liveFinalityOf', () => {
  it('is the highest finality the live stream sent of a type, delivered or not, and never what recovery brought', () => {
    const gate = new FinalityGate()
    expect(gate.liveFinalityOf(T, 'transactions')).toBeUndefined()
    expect(gate.admit(txs('confirmed'), false).pass).toBe(true)
    expect(gate.liveFinalityOf(T, 'transactions')).toBeUndefined()
    // Sent live after recovery delivered the same: dropped as a duplicate, still a fact about the server.
    expect(gate.admit(txs('confirmed'), true).pass).toBe(false)
    expect(gate.liveFinalityOf(T, 'transactions')).toBe('confirmed')
    expect(gate.admit(txs('finalized', ['a', 'b']), false).pass).toBe(true)
    expect(gate.liveFinalityOf(T, 'transactions')).toBe('confirmed')
    expect(gate.admit(actions('pending'), true).pass).toBe(true)
    expect(gate.liveFinalityOf(T, 'transactions')).toBe('confirmed')
    // Each type its own: one type's snapshot says nothing of another's the server may have dropped.
    expect(gate.liveFinalityOf(T, 'actions')).toBe('pending')
    expect(gate.admit(txs('finalized', ['a', 'b']), true).pass).toBe(false)
    expect(gate.liveFinalityOf(T, 'transactions')).toBe('finalized')
    expect(gate.liveFinalityOf(T, 'actions')).toBe('pending')
    expect(gate.liveFinalityOf(T, 'trace')).toBeUndefined()
    expect(gate.finalityOf(T)).toBe('finalized')
    const other = 'b0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='
    expect(gate.admit(txs('finalized', ['c'], other), true).pass).toBe(true)
    expect(gate.liveFinalityOf(other, 'transactions')).toBe('finalized')
    expect(gate.liveFinalityOf(other, 'actions')).toBeUndefined()
  })
})
