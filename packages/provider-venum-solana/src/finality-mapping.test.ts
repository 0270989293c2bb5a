import { createLifecycleState, reduceLifecycle } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import { observationFromVenumUpdate } from './finality-mapping.js'
import { eventsUpTo, VENUM_TIERS, venumEventOfTier } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'

const update = (status: VenumUpdate['status'], extra: Partial<VenumUpdate> = {}): VenumUpdate => ({
  signature: 's',
  status,
  source: 'stream',
  tier: 'unknown',
  outcome: 'unknown',
  done: false,
  ...extra,
})

describe('the mapping onto the neutral finality model', () => {
  it('maps tiers: landed → pending, processed → included, confirmed, finalized', () => {
    expect(VENUM_TIERS).toEqual({
      landed: 'pending',
      processed: 'included',
      confirmed: 'confirmed',
      finalized: 'finalized',
    })
    for (const [event, tier] of Object.entries(VENUM_TIERS)) expect(venumEventOfTier(tier)).toBe(event)
    expect(venumEventOfTier('unknown')).toBeUndefined()
    expect(eventsUpTo('processed')).toEqual(['landed', 'processed'])
  })

  it('turns updates into observations the tracker folds: success, failure, unknown', () => {
    expect(observationFromVenumUpdate(update('landed'), 1)).toMatchObject({
      kind: 'tier',
      tier: 'pending',
      at: 1,
    })
    expect(observationFromVenumUpdate(update('confirmed', { source: 'snapshot' }), 1)).toMatchObject({
      kind: 'tier',
      tier: 'confirmed',
      outcome: 'success',
      source: 'snapshot',
      providerStatus: 'confirmed',
    })
    expect(observationFromVenumUpdate(update('failed', { err: 'boom' }), 1)).toMatchObject({
      kind: 'failed',
      error: 'boom',
    })
    for (const status of ['timeout', 'verify-timeout'] as const) {
      expect(observationFromVenumUpdate(update(status), 1)).toMatchObject({
        kind: 'watch',
        status: 'timed_out',
      })
    }
    expect(observationFromVenumUpdate(update('error', { err: 'watch_failed' }), 1)).toMatchObject({
      kind: 'watch',
      status: 'errored',
    })

    // Folded in order, a failure ends the story with outcome failure; a time-out never claims one.
    let state = createLifecycleState({ id: 's', chain: 'solana', startedAt: 0 })
    for (const u of [update('landed'), update('failed', { err: 'boom' }), update('confirmed')]) {
      state = reduceLifecycle(state, observationFromVenumUpdate(u, 1)).state
    }
    expect(state).toMatchObject({ outcome: 'failure', terminal: { kind: 'failed' } })
    let timedOut = createLifecycleState({ id: 't', chain: 'solana', startedAt: 0 })
    for (const u of [update('landed'), update('verify-timeout')]) {
      timedOut = reduceLifecycle(timedOut, observationFromVenumUpdate(u, 1)).state
    }
    expect(timedOut).toMatchObject({ outcome: 'unknown', watch: 'timed_out' })
    expect(timedOut.terminal).toBeUndefined()
  })
})
