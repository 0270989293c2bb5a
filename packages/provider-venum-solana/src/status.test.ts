import { describe, expect, it } from 'vitest'
import { setup, sig } from './venum-test-kit.test-helper.js'

describe('venum.status', () => {
  it('answers GET /v1/tx/:signature typed, with the neutral tier and outcome', async () => {
    const { sim, venum } = await setup()
    sim.addSignature(sig(1))
    expect(await venum.status(sig(1))).toEqual({
      signature: sig(1),
      status: 'not_found',
      tier: 'unknown',
      outcome: 'unknown',
    })
    sim.advance(sig(1), 'processed')
    expect(await venum.status(sig(1))).toMatchObject({
      status: 'confirmed',
      confirmationStatus: 'processed',
      tier: 'included',
      outcome: 'success',
      fee: 5000,
      slot: expect.any(Number),
      computeUnits: expect.any(Number),
    })
    sim.advance(sig(1), 'finalized')
    expect(await venum.status(sig(1))).toMatchObject({
      status: 'finalized',
      tier: 'finalized',
      outcome: 'success',
    })
    sim.addSignature(sig(2))
    sim.advance(sig(2), 'failed', { err: 'InstructionError: [0, Custom(7)]' })
    expect(await venum.status(sig(2))).toMatchObject({
      status: 'failed',
      error: 'InstructionError: [0, Custom(7)]',
      outcome: 'failure',
    })
  })

  it("returns a failed lookup (status 'error') as it is: it says nothing about the transaction", async () => {
    const { sim, venum } = await setup()
    sim.failNextRest('lookup-error')
    expect(await venum.status(sig(1))).toMatchObject({
      status: 'error',
      reason: expect.any(String),
      tier: 'unknown',
    })
  })

  it('takes an AbortSignal', async () => {
    const { venum } = await setup()
    const controller = new AbortController()
    controller.abort()
    await expect(venum.status(sig(1), { signal: controller.signal })).rejects.toMatchObject({
      code: 'Aborted',
    })
  })
})
