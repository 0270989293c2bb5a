import { isChainstreamError } from '@chainstream/core'
import { createLifecycleState, type Observation, reduceLifecycle } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import {
  observationFromVenumRest,
  observationFromVenumStreamError,
  observationFromVenumStreamStatus,
  type VenumTxBody,
} from './venum-observations.js'

const at = 1_700_000_000_000

describe('Venum /v1/stream/tx mapping', () => {
  it.each([
    ['landed', { kind: 'tier', tier: 'pending' }],
    ['processed', { kind: 'tier', tier: 'included', outcome: 'success' }],
    ['confirmed', { kind: 'tier', tier: 'confirmed', outcome: 'success' }],
    ['finalized', { kind: 'tier', tier: 'finalized', outcome: 'success' }],
    ['failed', { kind: 'failed', error: 'InstructionError' }],
    ['timeout', { kind: 'watch', status: 'timed_out', reason: 'the landing signal never came' }],
    [
      'verify-timeout',
      { kind: 'watch', status: 'timed_out', reason: 'the provider gave up before the requested tier' },
    ],
    ['rooted', { kind: 'unknown_status' }],
    ['', { kind: 'unknown_status' }],
  ] as const)('status %s → %o', (status, expected) => {
    const err = status === 'failed' ? 'InstructionError' : undefined
    expect(observationFromVenumStreamStatus(status, { at, ...(err ? { err } : {}) })).toEqual({
      ...expected,
      providerStatus: status,
      source: 'stream',
      at,
    })
  })

  it('landed carries no outcome: it is pre-execution', () => {
    expect(observationFromVenumStreamStatus('landed', { at })).not.toHaveProperty('outcome')
  })

  it('a tier status that carries an err is read as a failure, never as success', () => {
    expect(observationFromVenumStreamStatus('confirmed', { at, err: 'boom' })).toMatchObject({
      kind: 'failed',
      tier: 'confirmed',
      error: 'boom',
    })
    expect(observationFromVenumStreamStatus('confirmed', { at, err: null })).toMatchObject({ kind: 'tier' })
  })

  it('timeouts are watch time-outs with the outcome left unknown, never failures', () => {
    for (const status of ['timeout', 'verify-timeout']) {
      const observation = observationFromVenumStreamStatus(status, { at })
      expect(observation.kind).toBe('watch')
      const step = reduceLifecycle(
        createLifecycleState({ id: 's', chain: 'solana', startedAt: at }),
        observation,
      )
      expect(step.state).toMatchObject({ watch: 'timed_out', outcome: 'unknown' })
      expect(step.state.terminal).toBeUndefined()
    }
  })

  it('an error event is an errored watch with a ServerError carrying the body', () => {
    const body = { signature: 'sig', error: 'watch failed', reason: 'invalid signature' }
    const observation = observationFromVenumStreamError(body, { at, data: body })
    expect(observation).toMatchObject({
      kind: 'watch',
      status: 'errored',
      reason: 'watch failed: invalid signature',
      providerStatus: 'error',
      source: 'stream',
      at,
      data: body,
    })
    const error = observation.kind === 'watch' ? observation.error : undefined
    expect(isChainstreamError(error, 'ServerError')).toBe(true)
    expect(observationFromVenumStreamError({}, { at })).toMatchObject({
      reason: 'the provider reported an error for this signature',
    })
  })

  it('a full stream maps to a clean lifecycle', () => {
    let state = createLifecycleState({ id: 'sig', chain: 'solana', target: 'confirmed', startedAt: at })
    const tiers: string[] = []
    for (const [i, status] of ['landed', 'processed', 'confirmed', 'confirmed', 'finalized'].entries()) {
      const step = reduceLifecycle(state, observationFromVenumStreamStatus(status, { at: at + i }))
      state = step.state
      tiers.push(...step.updates.map((u) => `${u.tier}:${u.watch}`))
    }
    expect(tiers).toEqual(['pending:watching', 'included:watching', 'confirmed:reached', 'finalized:reached'])
    expect(state.terminal?.kind).toBe('finalized')
  })
})

describe('Venum /v1/tx mapping', () => {
  const cases: [string, VenumTxBody, Partial<Observation>][] = [
    ['not_found', { status: 'not_found', confirmationStatus: 'unknown' }, { kind: 'not_found' }],
    [
      'failed at a known commitment',
      { status: 'failed', confirmationStatus: 'confirmed', error: 'InstructionError' },
      { kind: 'failed', tier: 'confirmed', error: 'InstructionError' },
    ],
    ['failed with err', { status: 'failed', err: { Custom: 1 } }, { kind: 'failed', error: { Custom: 1 } }],
    [
      'failed at finalized',
      { status: 'failed', confirmationStatus: 'finalized', err: 'x' },
      { kind: 'failed', tier: 'finalized', error: 'x' },
    ],
    [
      'confirmed / processed',
      { status: 'confirmed', confirmationStatus: 'processed', error: null },
      { kind: 'tier', tier: 'included', outcome: 'success' },
    ],
    [
      'confirmed / confirmed',
      { status: 'confirmed', confirmationStatus: 'confirmed', error: null },
      { kind: 'tier', tier: 'confirmed', outcome: 'success' },
    ],
    [
      'finalized / finalized',
      { status: 'finalized', confirmationStatus: 'finalized' },
      { kind: 'tier', tier: 'finalized', outcome: 'success' },
    ],
    [
      'confirmed / unknown falls back to the status',
      { status: 'confirmed', confirmationStatus: 'unknown' },
      { kind: 'tier', tier: 'confirmed', outcome: 'success' },
    ],
    [
      'finalized without confirmationStatus',
      { status: 'finalized' },
      { kind: 'tier', tier: 'finalized', outcome: 'success' },
    ],
    [
      'confirmed that carries an error is a failure',
      { status: 'confirmed', confirmationStatus: 'confirmed', err: 'boom' },
      { kind: 'failed', tier: 'confirmed', error: 'boom' },
    ],
    [
      'error (the lookup failed)',
      { status: 'error', reason: 'rpc unavailable' },
      { kind: 'lookup_failed', reason: 'rpc unavailable' },
    ],
    ['an unknown status', { status: 'dropped' }, { kind: 'unknown_status' }],
    ['no status at all', {}, { kind: 'unknown_status' }],
  ]

  it.each(cases)('%s', (_name, body, expected) => {
    const observation = observationFromVenumRest(body, { at })
    expect(observation).toMatchObject({
      ...expected,
      providerStatus: String(body.status),
      source: 'snapshot',
      at,
      data: body,
    })
    // Exactly the expected shape: no stray fields (a success never comes with an error, say).
    const keys = Object.keys(observation).sort()
    expect(keys).toEqual(
      [...new Set([...Object.keys(expected), 'providerStatus', 'source', 'at', 'data'])].sort(),
    )
  })

  it('keeps the caller’s source and data when given', () => {
    expect(observationFromVenumRest({ status: 'not_found' }, { at, source: 'poll', data: 'raw' })).toEqual({
      kind: 'not_found',
      providerStatus: 'not_found',
      source: 'poll',
      at,
      data: 'raw',
    })
  })

  it('repeated not_found is counted by the machine, never terminal (the poller decides when to time out)', () => {
    let state = createLifecycleState({ id: 'sig', chain: 'solana', startedAt: at })
    for (let i = 0; i < 5; i++) {
      const step = reduceLifecycle(state, observationFromVenumRest({ status: 'not_found' }, { at: at + i }))
      expect(step.updates).toEqual([])
      state = step.state
    }
    expect(state).toMatchObject({ notFoundCount: 5, tier: 'unknown', watch: 'watching' })
    expect(state.terminal).toBeUndefined()
  })

  it('a failed lookup does not end the transaction or the watch', () => {
    const state = createLifecycleState({ id: 'sig', chain: 'solana', startedAt: at })
    const step = reduceLifecycle(
      state,
      observationFromVenumRest({ status: 'error', reason: 'timeout' }, { at }),
    )
    expect(step.state).toBe(state)
    expect(step.diagnostics.map((d) => d.code)).toEqual(['lookup-failed'])
  })
})
