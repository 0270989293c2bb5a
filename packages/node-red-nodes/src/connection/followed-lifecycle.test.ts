import type { LifecycleSink, LifecycleSourceV1, LifecycleWatch } from '@chainstream/core/provider'
import { describe, expect, it, vi } from 'vitest'
import { ConnectionStateMachine } from './connection-state.js'
import { ConsumerStates } from './consumer-states.js'
import { followedLifecycle } from './followed-lifecycle.js'

/** A provider source whose one watch hands its sink to the test. */
function fakeSource() {
  const calls: string[] = []
  let sink: LifecycleSink | undefined
  const source: LifecycleSourceV1 = {
    specificationVersion: 'v1',
    chain: 'solana',
    providerId: 'venum',
    validateId: (id) => id.trim(),
    openLifecycleWatch: (given) => {
      sink = given
      return {
        add: async (ids) => void calls.push(`add ${ids.join(',')}`),
        remove: async (ids) => void calls.push(`remove ${ids.join(',')}`),
        close: async () => void calls.push('close'),
      }
    },
  }
  return { source, calls, sink: () => sink as LifecycleSink }
}

describe('followedLifecycle', () => {
  it("passes the provider's watch through and follows it into the config node's status", async () => {
    const machine = new ConnectionStateMachine()
    const open = new Set<LifecycleWatch>()
    const fake = fakeSource()
    const make = vi.fn(() => fake.source)
    const followed = followedLifecycle(
      { chain: 'solana', providerId: 'venum' },
      make,
      new ConsumerStates(machine),
      open,
    )
    expect(make).not.toHaveBeenCalled() // the client is made on first use
    expect(followed.validateId(' sig ')).toBe('sig')
    const seen: unknown[] = []
    const watch = followed.openLifecycleWatch(
      { observe: (id, observation) => seen.push([id, observation.kind]), error: (e) => seen.push(e) },
      { target: 'finalized' },
    )
    expect(machine.status.phase).toBe('connecting')
    await watch.add(['sig'])
    expect(machine.status.phase).toBe('subscribed')
    fake.sink().error(new Error('stream dropped'))
    expect(machine.status).toMatchObject({ phase: 'reconnecting', reason: 'stream dropped' })
    fake.sink().observe('sig', {
      kind: 'tier',
      tier: 'confirmed',
      providerStatus: 'confirmed',
      source: 'stream',
      at: 1,
    })
    expect(machine.status.phase).toBe('subscribed')
    await watch.remove(['sig'])
    expect(machine.status.phase).toBe('idle')
    fake.sink().observe('sig', { kind: 'watch', status: 'errored', reason: 'Unauthorized', at: 2 })
    expect(machine.status).toMatchObject({ phase: 'error', reason: 'Unauthorized' })
    expect(open.size).toBe(1)
    await watch.close()
    expect(open.size).toBe(0)
    expect(fake.calls).toEqual(['add sig', 'remove sig', 'close'])
    expect(seen).toHaveLength(3)
  })
})
