import { createTracker, type LifecycleUpdate } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import { setup, sig, until } from './venum-test-kit.test-helper.js'

describe('venum.lifecycle: the cross-chain tracker over Venum', () => {
  it('tracks signatures from one multiplexed, sharded watch: success, failure, time-out', async () => {
    const { sim, venum } = await setup({
      lifecycles: (s) => (s === sig(2) ? 'failure' : s === sig(3) ? 'verify-timeout' : 'success'),
      timeScale: 0.3,
    })
    const tracker = createTracker({ providers: [venum] })
    try {
      const updates: LifecycleUpdate[] = []
      tracker.on('update', (u) => updates.push(u))
      const [ok, failed, unknown] = tracker.trackMany([1, 2, 3].map((n) => ({ chain: 'solana', id: sig(n) })))
      await expect(ok?.reached('confirmed')).resolves.toMatchObject({ tier: 'confirmed', outcome: 'success' })
      await expect(failed?.reached('confirmed')).rejects.toMatchObject({ code: 'TransactionFailed' })
      await expect(unknown?.reached('finalized')).rejects.toMatchObject({ code: 'WaitTimeout' })
      await expect(ok?.settled()).resolves.toMatchObject({
        terminal: { kind: 'finalized' },
        outcome: 'success',
      })
      expect(updates.filter((u) => u.id === sig(1)).map((u) => u.providerStatus)).toContain('finalized')
      // One stream carried all three.
      expect(sim.streamRequests).toHaveLength(1)
      expect(sim.streamRequests[0]?.signatures).toHaveLength(3)
      // A new track of the same signature watches it again.
      const again = tracker.track({ chain: 'solana', id: sig(1) })
      await expect(again.settled()).resolves.toMatchObject({ terminal: { kind: 'finalized' } })
    } finally {
      await tracker.close()
    }
    await until(() => sim.openStreams === 0)
  })

  it('validates ids before anything is sent, and ends every track when the key is refused', async () => {
    const { sim } = await setup()
    const { createVenum } = await import('./create-venum.js')
    const venum = createVenum({ apiKey: 'not-the-key-000', baseUrl: sim.url })
    const tracker = createTracker({ providers: [venum] })
    try {
      expect(() => tracker.track({ chain: 'solana', id: 'nope' })).toThrow(/id\[0\] "nope"/)
      expect(sim.requests).toHaveLength(0)
      const track = tracker.track({ chain: 'solana', id: sig(1) })
      await expect(track.reached('confirmed')).rejects.toMatchObject({ code: 'Unauthorized' })
    } finally {
      await tracker.close()
    }
  })
})
