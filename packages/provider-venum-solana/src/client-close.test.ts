import { createTracker } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import { setup, sig, until } from './venum-test-kit.test-helper.js'

describe('venum.close()', () => {
  it('closes every watch, wait and stream of the client, and takes no new watch', async () => {
    // Slow lifecycles: nothing ends by itself during the test.
    const { sim, venum } = await setup({ timeScale: 50 })
    const watch = venum.watch({ signatures: [sig(1), sig(2)] })
    const wait = venum.waitFor(sig(3), 'finalized').catch((error: unknown) => error)
    const tracker = createTracker({ providers: [venum] })
    const tx = tracker.track({ chain: 'solana', id: sig(5) })
    await until(() => sim.openStreams > 0)
    await venum.close()
    expect(await watch.closed).toMatchObject({ code: 'Closed' })
    expect(await wait).toMatchObject({ code: 'Closed' })
    // The tracker's track ends too: its watch errored, the outcome unknown.
    await expect(tx.settled()).rejects.toThrow(/client was closed/)
    expect(tx.current).toMatchObject({ watch: 'errored', outcome: 'unknown' })
    await tracker.close()
    await until(() => sim.openStreams === 0)
    expect(() => venum.watch({ signatures: [sig(4)] })).toThrow(/closed/)
  })
})
