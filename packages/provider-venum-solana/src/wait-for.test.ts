import { isChainstreamError } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import { setup, sig, until } from './venum-test-kit.test-helper.js'

describe('venum.waitFor', () => {
  it('resolves on success at the tier; its stream requests every tier, so it never ends early', async () => {
    const { sim, venum } = await setup({ timeScale: 0.3 })
    const update = await venum.waitFor(sig(1), 'confirmed', { timeoutMs: 5_000 })
    expect(update).toMatchObject({ signature: sig(1), outcome: 'success' })
    expect(['confirmed', 'finalized']).toContain(update.status)
    expect(sim.streamRequests[0]?.events).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    // Nothing left to wait for: the stream is closed.
    await until(() => sim.openStreams === 0)
  })

  it('shares streams between concurrent waits: 25 waits, 3 streams', async () => {
    const { sim, venum } = await setup({ timeScale: 0.5 })
    const signatures = Array.from({ length: 25 }, (_, i) => sig(10 + i))
    const updates = await Promise.all(signatures.map((s) => venum.waitFor(s, 'confirmed')))
    expect(updates.map((u) => u.signature)).toEqual(signatures)
    expect(sim.streamRequests.map((r) => r.signatures.length)).toEqual([10, 10, 5])
  })

  it('two waits on one signature: the first to settle does not end the other', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const confirmed = venum.waitFor(sig(1), 'confirmed')
    const finalized = venum.waitFor(sig(1), 'finalized')
    await until(() => sim.openStreams === 1)
    sim.advance(sig(1), 'confirmed')
    await expect(confirmed).resolves.toMatchObject({ status: 'confirmed' })
    sim.advance(sig(1), 'finalized')
    await expect(finalized).resolves.toMatchObject({ status: 'finalized' })
    // Waiting again for a finished signature watches it again.
    await expect(venum.waitFor(sig(1), 'finalized')).resolves.toMatchObject({ tier: 'finalized' })
  })

  it('resolves when a higher tier arrives first (≥ tier)', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    sim.advance(sig(1), 'finalized')
    const update = await venum.waitFor(sig(1), 'processed')
    expect(update).toMatchObject({ status: 'finalized', outcome: 'success' })
  })

  it('failure is never success: rejects TransactionFailed with the on-chain error', async () => {
    const { venum } = await setup({ lifecycles: { failure: 1 }, timeScale: 0.3 })
    const error = await venum.waitFor(sig(1), 'finalized').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isChainstreamError(error, 'TransactionFailed')).toBe(true)
    expect((error as Error).message).toMatch(/failed.*InstructionError: \[0, Custom\(6001\)\]/)
  })

  it('a failed transaction never resolves, not even a wait for landed', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    sim.advance(sig(1), 'landed')
    sim.advance(sig(1), 'failed', { err: 'InstructionError: [1, Custom(42)]' })
    for (const tier of ['landed', 'processed', 'finalized'] as const) {
      await expect(venum.waitFor(sig(1), tier)).rejects.toMatchObject({
        code: 'TransactionFailed',
        message: expect.stringContaining('Custom(42)'),
      })
    }
  })

  it('verify-timeout is unknown: rejects WaitTimeout saying so, never TransactionFailed', async () => {
    const { venum } = await setup({ lifecycles: { 'verify-timeout': 1 }, timeScale: 0.2 })
    const error = await venum.waitFor(sig(1), 'finalized').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isChainstreamError(error, 'WaitTimeout')).toBe(true)
    expect((error as Error).message).toMatch(/outcome is UNKNOWN/)
  })

  it('a transaction that never lands: WaitTimeout, outcome unknown', async () => {
    const { venum } = await setup({ lifecycles: { 'never-lands': 1 }, timeScale: 0.2 })
    await expect(venum.waitFor(sig(1), 'landed')).rejects.toMatchObject({ code: 'WaitTimeout' })
  })

  it('timeoutMs rejects WaitTimeout (outcome unknown) and closes the stream', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const started = Date.now()
    const error = await venum.waitFor(sig(1), 'confirmed', { timeoutMs: 150 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(error).toMatchObject({ code: 'WaitTimeout', message: expect.stringMatching(/150 ms.*UNKNOWN/) })
    await until(() => sim.openStreams === 0)
  })

  it('abort rejects with Aborted, and stays rejected when the transaction then succeeds', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const controller = new AbortController()
    let resolved = false
    const waiting = venum.waitFor(sig(1), 'confirmed', { signal: controller.signal })
    waiting.then(
      () => {
        resolved = true
      },
      () => {},
    )
    await until(() => sim.openStreams === 1)
    sim.advance(sig(1), 'landed')
    controller.abort(new Error('user navigated away'))
    await expect(waiting).rejects.toMatchObject({ code: 'Aborted' })
    sim.advance(sig(1), 'confirmed')
    await new Promise((r) => setTimeout(r, 50))
    expect(resolved).toBe(false)
    await until(() => sim.openStreams === 0)
  })

  it('an already aborted signal rejects before any request', async () => {
    const { sim, venum } = await setup()
    const controller = new AbortController()
    controller.abort()
    await expect(venum.waitFor(sig(1), 'confirmed', { signal: controller.signal })).rejects.toMatchObject({
      code: 'Aborted',
    })
    expect(sim.requests).toHaveLength(0)
  })

  it('rejects ServerError when Venum cannot watch the signature', async () => {
    const { venum } = await setup({ lifecycles: { 'setup-error': 1 } })
    await expect(venum.waitFor(sig(1), 'confirmed')).rejects.toMatchObject({ code: 'ServerError' })
  })

  it('rejects a bad tier with InvalidArgument', async () => {
    const { sim, venum } = await setup()
    await expect(venum.waitFor(sig(1), 'included' as never)).rejects.toMatchObject({
      code: 'InvalidArgument',
    })
    await expect(venum.waitFor(sig(1), 'confirmed', { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'InvalidArgument',
    })
    expect(sim.requests).toHaveLength(0)
  })
})

describe('venum.watch: abort', () => {
  it('aborting a watch ends it with Aborted: for await throws, never a quiet end', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    const controller = new AbortController()
    const watch = venum.watch({ signatures: [sig(1)], signal: controller.signal })
    await watch.ready
    setTimeout(() => controller.abort(), 20)
    await expect(
      (async () => {
        for await (const _ of watch) {
          // nothing arrives
        }
      })(),
    ).rejects.toMatchObject({ code: 'Aborted' })
    expect(await watch.closed).toMatchObject({ code: 'Aborted' })
    await until(() => sim.openStreams === 0)
  })
})
