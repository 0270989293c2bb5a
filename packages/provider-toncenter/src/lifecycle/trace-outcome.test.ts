import { describe, expect, it } from 'vitest'
import { TonTraceFailure, traceOutcome, transactionFailure } from './trace-outcome.js'

const HASH = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='

/** A transaction with just the fields the rule reads. */
function tx(hash: string, description: Record<string, unknown>) {
  return { hash, account: '0:AB', lt: '1', description: { type: 'ord', ...description } }
}

const ok = tx('ok', {
  aborted: false,
  compute_ph: { skipped: false, success: true, exit_code: 0 },
  action: { success: true, result_code: 0 },
})

describe('traceOutcome (the documented outcome rule)', () => {
  it('is success at confirmed and finalized when no transaction failed, and unknown at a clean pending', () => {
    expect(traceOutcome(HASH, 'confirmed', { ok })).toEqual({ outcome: 'success' })
    expect(traceOutcome(HASH, 'finalized', { ok })).toEqual({ outcome: 'success' })
    expect(traceOutcome(HASH, 'pending', { ok })).toEqual({})
  })

  it('is failure when a transaction aborted, at every finality, pending included', () => {
    const aborted = tx('bad', { aborted: true, compute_ph: { skipped: false, success: true, exit_code: 0 } })
    for (const finality of ['pending', 'confirmed', 'finalized']) {
      const result = traceOutcome(HASH, finality, { ok, bad: aborted })
      expect(result.outcome).toBe('failure')
      expect(result.error).toBeInstanceOf(TonTraceFailure)
      expect(result.error?.failures.map((f) => f.hash)).toEqual(['bad'])
      expect(result.error?.failures[0]?.reasons).toEqual(['aborted'])
    }
  })

  it('is failure for a compute phase that is not successful or exits with a code other than 0 and 1', () => {
    expect(transactionFailure(tx('a', { compute_ph: { skipped: false, success: false } }))?.reasons).toEqual([
      'compute phase not successful',
    ])
    expect(
      transactionFailure(tx('b', { compute_ph: { skipped: false, success: false, exit_code: 9 } }))?.reasons,
    ).toEqual(['compute phase not successful', 'exit code 9'])
    expect(transactionFailure(tx('c', { compute_ph: { skipped: false, exit_code: 37 } }))).toMatchObject({
      exitCode: 37,
      reasons: ['exit code 37'],
    })
    // TVM defines 0 and 1 as successful exit codes.
    expect(transactionFailure(tx('d', { compute_ph: { skipped: false, success: true, exit_code: 1 } }))).toBe(
      undefined,
    )
  })

  it('does not count a skipped compute phase as a failure', () => {
    const skipped = tx('s', { aborted: false, compute_ph: { skipped: true, reason: 'no_state' } })
    expect(transactionFailure(skipped)).toBeUndefined()
    expect(traceOutcome(HASH, 'finalized', { skipped })).toEqual({ outcome: 'success' })
  })

  it('is failure for a failed action phase, with its result code', () => {
    const failed = tx('act', {
      compute_ph: { skipped: false, success: true, exit_code: 0 },
      action: { success: false, result_code: 37 },
    })
    expect(transactionFailure(failed)).toMatchObject({
      actionSuccess: false,
      resultCode: 37,
      reasons: ['action phase failed (result code 37)'],
    })
    const result = traceOutcome(HASH, 'confirmed', { ok, act: failed })
    expect(result.outcome).toBe('failure')
    expect(result.error?.message).toContain(`trace ${HASH}: 1 transaction failed`)
    expect(result.error?.message).toContain('act on 0:AB (action phase failed (result code 37))')
  })

  it('says nothing about malformed input and never throws', () => {
    expect(traceOutcome(HASH, 'finalized', undefined)).toEqual({})
    expect(traceOutcome(HASH, 'finalized', 'oops')).toEqual({})
    expect(traceOutcome(HASH, 'finalized', {})).toEqual({})
    // A transaction that cannot be read never lets the trace count as a success.
    expect(traceOutcome(HASH, 'confirmed', { ok, x: null })).toEqual({})
    expect(traceOutcome(HASH, 'confirmed', { ok, z: { description: 'nope' } })).toEqual({})
    expect(transactionFailure({ description: { aborted: 'yes', compute_ph: [] } })).toBeUndefined()
  })
})
