import { describe, expect, it } from 'vitest'
import { ConnectionStateMachine } from './connection-state.js'
import { ConsumerStates } from './consumer-states.js'

const setUp = () => {
  const machine = new ConnectionStateMachine()
  const seen: string[] = []
  machine.attach('node', (status) =>
    seen.push(status.reason ? `${status.phase}: ${status.reason}` : status.phase),
  )
  return { machine, seen, consumers: new ConsumerStates(machine) }
}

describe('ConsumerStates', () => {
  it('is idle without consumers, and a consumer joining a working connection keeps it green', () => {
    const { seen, consumers } = setUp()
    const first = consumers.add()
    first.set('subscribed')
    const second = consumers.add()
    expect(seen).toEqual(['idle', 'connecting', 'subscribed'])
    second.set('subscribed')
    first.end()
    second.end()
    expect(seen.at(-1)).toBe('idle')
    expect(consumers.size).toBe(0)
  })

  it('shows a reconnecting consumer over subscribed ones, with its reason', () => {
    const { machine, consumers } = setUp()
    const a = consumers.add()
    const b = consumers.add()
    a.set('subscribed')
    b.set('reconnecting', 'socket hang up')
    expect(machine.status).toMatchObject({ phase: 'reconnecting', reason: 'socket hang up' })
    b.set('subscribed')
    expect(machine.status.phase).toBe('subscribed')
  })

  it('keeps a fatal end red until a new consumer starts or one is subscribed', () => {
    const { machine, consumers } = setUp()
    const a = consumers.add()
    a.end(Object.assign(new Error('invalid API key'), { code: 'Unauthorized' }))
    expect(machine.status).toMatchObject({ phase: 'error', reason: 'Unauthorized: invalid API key' })
    a.set('subscribed') // ended: ignored
    expect(machine.status.phase).toBe('error')
    const b = consumers.add()
    expect(machine.status.phase).toBe('connecting')
    consumers.fail(new Error('no key'))
    expect(machine.status).toMatchObject({ phase: 'error', reason: 'no key' })
    b.set('subscribed')
    expect(machine.status.phase).toBe('subscribed')
    consumers.clear()
    expect(machine.status.phase).toBe('idle')
  })
})
