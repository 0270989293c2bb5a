import { describe, expect, it } from 'vitest'
import { observationFromTonFinality, observationFromTonInvalidation } from './ton-observations.js'

const at = 1_700_000_000_000

describe('TON Streaming v2 mapping', () => {
  it.each([
    ['pending', 'pending'],
    ['confirmed', 'confirmed'],
    ['finalized', 'finalized'],
  ] as const)('finality %s → tier %s (TON has no included)', (finality, tier) => {
    expect(observationFromTonFinality(finality, { at })).toEqual({
      kind: 'tier',
      tier,
      providerStatus: finality,
      source: 'stream',
      at,
    })
  })

  it('carries the outcome the provider derived from the transactions (aborted phase → failure) and its error', () => {
    const trace = { trace_external_hash_norm: 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY=' }
    expect(
      observationFromTonFinality('confirmed', {
        at,
        source: 'backfill',
        outcome: 'failure',
        error: { exit_code: 37 },
        data: trace,
      }),
    ).toEqual({
      kind: 'tier',
      tier: 'confirmed',
      outcome: 'failure',
      error: { exit_code: 37 },
      providerStatus: 'confirmed',
      source: 'backfill',
      at,
      data: trace,
    })
  })

  it.each(['included', 'processed', 'Finalized', '', 'toString'])(
    'an unknown finality %j is an unknown status',
    (finality) => {
      expect(observationFromTonFinality(finality, { at })).toEqual({
        kind: 'unknown_status',
        providerStatus: finality,
        source: 'stream',
        at,
      })
    },
  )

  it('trace_invalidated → invalidated', () => {
    expect(observationFromTonInvalidation({ at })).toEqual({
      kind: 'invalidated',
      providerStatus: 'trace_invalidated',
      source: 'stream',
      at,
    })
  })
})
