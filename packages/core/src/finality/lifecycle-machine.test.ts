import { describe, expect, it } from 'vitest'
import { ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import type { Diagnostic } from '../provider/provider-v1.js'
import { evaluateWait } from './evaluate-wait.js'
import { createLifecycleState, reduceLifecycle } from './lifecycle-machine.js'
import type { LifecycleState } from './lifecycle-state.js'
import type { UpdateSource } from './lifecycle-types.js'
import type { LifecycleUpdate } from './lifecycle-update.js'
import type { Observation, TierObservation } from './observation.js'
import type { ObservedTier } from './tiers.js'

const T0 = 10_000

function start(target?: ObservedTier): LifecycleState {
  return createLifecycleState({ id: 'sig-1', chain: 'solana', startedAt: T0, ...(target ? { target } : {}) })
}

function tier(
  t: ObservedTier,
  at: number,
  extra: Partial<Omit<TierObservation, 'kind' | 'tier'>> = {},
): Observation {
  return { kind: 'tier', tier: t, providerStatus: t, source: 'stream', at, ...extra }
}

const failed = (
  at: number,
  extra: { tier?: ObservedTier; error?: unknown; source?: UpdateSource } = {},
): Observation => ({
  kind: 'failed',
  providerStatus: 'failed',
  source: 'stream',
  at,
  ...extra,
})

const invalidated = (at: number): Observation => ({
  kind: 'invalidated',
  providerStatus: 'trace_invalidated',
  source: 'stream',
  at,
})

const expired = (at: number): Observation => ({
  kind: 'expired',
  evidence: 'block height 312000151 > lastValidBlockHeight 312000150',
  notFoundAt: at - 5,
  providerStatus: 'not_found',
  source: 'poll',
  at,
})

/** Feeds observations in order and collects everything the machine said. */
function run(state: LifecycleState, ...observations: Observation[]) {
  const updates: LifecycleUpdate[] = []
  const diagnostics: Diagnostic[] = []
  let current = state
  for (const observation of observations) {
    const step = reduceLifecycle(current, observation)
    current = step.state
    updates.push(...step.updates)
    diagnostics.push(...step.diagnostics)
  }
  return { state: current, updates, diagnostics }
}

const codes = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code)

describe('createLifecycleState', () => {
  it('starts unknown, watching, with target finalized by default', () => {
    expect(start()).toEqual({
      id: 'sig-1',
      chain: 'solana',
      target: 'finalized',
      startedAt: T0,
      updatedAt: T0,
      tier: 'unknown',
      outcome: 'unknown',
      watch: 'watching',
      tierReachedAt: {},
      notFoundCount: 0,
    })
    expect(start('confirmed').target).toBe('confirmed')
  })

  it('rejects caller mistakes with InvalidArgument', () => {
    const bad = [
      { id: '', chain: 'solana', startedAt: T0 },
      { id: 'x', chain: '', startedAt: T0 },
      { id: 'x', chain: 'solana', startedAt: Number.NaN },
      { id: 'x', chain: 'solana', startedAt: T0, target: 'unknown' },
      { id: 'x', chain: 'solana', startedAt: T0, target: 'processed' },
    ]
    for (const input of bad) {
      expect(() => createLifecycleState(input as never)).toThrow(
        expect.objectContaining({ code: 'InvalidArgument' }) as unknown as Error,
      )
    }
  })
})

describe('reduceLifecycle', () => {
  it('emits one update with the neutral fields when the tier goes up', () => {
    const step = reduceLifecycle(
      start(),
      tier('confirmed', T0 + 400, { outcome: 'success', data: { slot: 7 } }),
    )
    expect(step.diagnostics).toEqual([])
    expect(step.updates).toEqual([
      {
        id: 'sig-1',
        chain: 'solana',
        tier: 'confirmed',
        outcome: 'success',
        watch: 'watching',
        target: 'finalized',
        providerStatus: 'confirmed',
        source: 'stream',
        at: T0 + 400,
        elapsedMs: 400,
        tierReachedAt: { pending: T0 + 400, included: T0 + 400, confirmed: T0 + 400 },
        data: { slot: 7 },
      },
    ])
  })

  it('records when every tier was first reached; skipped tiers get the time of the observation that passed them', () => {
    const { state, updates } = run(start(), tier('pending', T0 + 100), tier('confirmed', T0 + 900))
    expect(state.tierReachedAt).toEqual({ pending: T0 + 100, included: T0 + 900, confirmed: T0 + 900 })
    expect(updates.map((u) => u.tier)).toEqual(['pending', 'confirmed'])
  })

  it('turns the watch to reached once, on the update that reaches the target', () => {
    const { state, updates } = run(
      start('included'),
      tier('pending', T0 + 1),
      tier('included', T0 + 2, { outcome: 'success' }),
      tier('confirmed', T0 + 3, { outcome: 'success' }),
    )
    expect(updates.map((u) => [u.watch, u.reachedTarget])).toEqual([
      ['watching', undefined],
      ['reached', true],
      ['reached', undefined],
    ])
    expect(state.watch).toBe('reached')
  })

  it('sets the watch reached on a finalized success terminal', () => {
    const { updates } = run(
      start(),
      tier('pending', T0 + 1),
      tier('finalized', T0 + 2, { outcome: 'success' }),
    )
    expect(updates.at(-1)).toMatchObject({
      terminal: { kind: 'finalized' },
      watch: 'reached',
      reachedTarget: true,
    })
  })

  it('reports a failed lookup as a diagnostic and changes nothing', () => {
    const state = run(start(), tier('pending', T0 + 1)).state
    const step = reduceLifecycle(state, {
      kind: 'lookup_failed',
      reason: 'rpc unavailable',
      providerStatus: 'error',
      source: 'poll',
      at: T0 + 2,
    })
    expect(step.state).toBe(state)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['lookup-failed'])
  })

  it('rule 1: tier never decreases — a lower tier after a higher one is dropped with a tier-regression diagnostic', () => {
    const after = run(start(), tier('confirmed', T0 + 1)).state
    const step = reduceLifecycle(after, tier('pending', T0 + 2))
    expect(step.state).toBe(after)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['tier-regression'])
    expect(step.diagnostics[0]?.data).toMatchObject({ id: 'sig-1', chain: 'solana', tier: 'confirmed' })
  })

  it('rule 1: an equal tier with no new facts is a silent duplicate (no update, no diagnostic, same state)', () => {
    const after = run(start(), tier('confirmed', T0 + 1, { outcome: 'success' })).state
    for (const duplicate of [
      tier('confirmed', T0 + 2, { outcome: 'success' }),
      tier('confirmed', T0 + 3),
      tier('confirmed', T0 + 4, { source: 'snapshot', providerStatus: 'confirmed/confirmed' }),
    ]) {
      const step = reduceLifecycle(after, duplicate)
      expect(step).toEqual({ state: after, updates: [], diagnostics: [] })
      expect(step.state).toBe(after)
    }
  })

  it('rule 1: an equal tier that brings a new outcome is an update', () => {
    const { updates } = run(start(), tier('pending', T0 + 1), tier('pending', T0 + 2, { outcome: 'success' }))
    expect(updates.map((u) => [u.tier, u.outcome])).toEqual([
      ['pending', 'unknown'],
      ['pending', 'success'],
    ])
  })

  it('rule 2: finalized absorbs — a failure after finalized is an anomaly-after-finalized diagnostic and the state is kept', () => {
    const final = run(start(), tier('finalized', T0 + 1, { outcome: 'success' })).state
    const step = reduceLifecycle(final, failed(T0 + 2, { error: 'InstructionError' }))
    expect(step.state).toBe(final)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['anomaly-after-finalized'])
    expect(final.terminal).toMatchObject({ kind: 'finalized' })
    expect(final.outcome).toBe('success')
  })

  it('rule 2: an invalidation, an expiry or a contradicting outcome after finalized is an anomaly, the state is kept', () => {
    const final = run(start(), tier('finalized', T0 + 1, { outcome: 'success' })).state
    for (const late of [
      invalidated(T0 + 2),
      expired(T0 + 3),
      tier('finalized', T0 + 4, { outcome: 'failure' }),
    ]) {
      const step = reduceLifecycle(final, late)
      expect(step.state).toBe(final)
      expect(step.updates).toEqual([])
      expect(codes(step.diagnostics)).toEqual(['anomaly-after-finalized'])
    }
    // Duplicate terminal events are normal with at-least-once delivery: silent.
    expect(reduceLifecycle(final, tier('finalized', T0 + 5, { outcome: 'success' }))).toEqual({
      state: final,
      updates: [],
      diagnostics: [],
    })
  })

  it('rule 3: invalidation below finalized ends the lifecycle with terminal invalidated', () => {
    const { state, updates } = run(
      start(),
      tier('pending', T0 + 1),
      tier('confirmed', T0 + 2),
      invalidated(T0 + 3),
    )
    expect(updates.at(-1)).toMatchObject({
      tier: 'confirmed',
      terminal: { kind: 'invalidated', at: T0 + 3, providerStatus: 'trace_invalidated', source: 'stream' },
      providerStatus: 'trace_invalidated',
    })
    expect(state.terminal?.kind).toBe('invalidated')
  })

  it('rule 3: a trace that reappears after invalidation does not revive this lifecycle (track it again)', () => {
    const ended = run(start(), tier('pending', T0 + 1), invalidated(T0 + 2)).state
    const step = reduceLifecycle(ended, tier('confirmed', T0 + 3))
    expect(step.state).toBe(ended)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['observation-after-terminal'])
    expect(step.diagnostics[0]?.message).toContain('track the id again')
  })

  it('rule 4: failed ends the story with outcome failure, also straight after pending', () => {
    const { state, updates } = run(
      start(),
      tier('pending', T0 + 1),
      failed(T0 + 2, { error: 'InsufficientFunds' }),
    )
    expect(updates.at(-1)).toMatchObject({
      tier: 'pending',
      outcome: 'failure',
      error: 'InsufficientFunds',
      terminal: { kind: 'failed', providerStatus: 'failed' },
      watch: 'watching',
    })
    expect(updates.at(-1)?.reachedTarget).toBeUndefined()
    expect(state.outcome).toBe('failure')
  })

  it('rule 4: a failure reported at finalized ends with terminal finalized and outcome failure', () => {
    const rest = run(start(), failed(T0 + 1, { tier: 'finalized', error: 'custom program error: 0x1' }))
    expect(rest.state).toMatchObject({
      tier: 'finalized',
      outcome: 'failure',
      terminal: { kind: 'finalized' },
    })
    // A TON trace that finalizes with an aborted transaction.
    const ton = run(
      start(),
      tier('confirmed', T0 + 1),
      tier('finalized', T0 + 2, { outcome: 'failure', error: 'exit 37' }),
    )
    expect(ton.updates.at(-1)).toMatchObject({
      tier: 'finalized',
      outcome: 'failure',
      error: 'exit 37',
      terminal: { kind: 'finalized' },
      watch: 'watching',
    })
  })

  it('rule 4: a failure outcome below finalized is recorded and sticky; the story ends at finalized', () => {
    const { state, updates, diagnostics } = run(
      start('confirmed'),
      tier('pending', T0 + 1, { outcome: 'failure', error: 'aborted' }),
      tier('confirmed', T0 + 2, { outcome: 'success' }),
      tier('finalized', T0 + 3),
    )
    expect(updates.map((u) => [u.tier, u.outcome, u.terminal?.kind, u.watch])).toEqual([
      ['pending', 'failure', undefined, 'watching'],
      ['confirmed', 'failure', undefined, 'watching'],
      ['finalized', 'failure', 'finalized', 'watching'],
    ])
    expect(codes(diagnostics)).toEqual(['outcome-conflict'])
    expect(state.error).toBe('aborted')
  })

  it('rule 4: a failure after success wins, with an outcome-conflict diagnostic', () => {
    const { state, diagnostics } = run(
      start(),
      tier('included', T0 + 1, { outcome: 'success' }),
      failed(T0 + 2),
    )
    expect(state).toMatchObject({ outcome: 'failure', terminal: { kind: 'failed' }, tier: 'included' })
    expect(codes(diagnostics)).toEqual(['outcome-conflict'])
  })

  it('rule 5: a time-out is soft — the watch is timed_out, the outcome stays unknown, no terminal', () => {
    const { state, updates } = run(start(), tier('pending', T0 + 1), {
      kind: 'watch',
      status: 'timed_out',
      reason: 'no confirmation within 60 s',
      at: T0 + 60_000,
    })
    expect(updates.at(-1)).toMatchObject({
      watch: 'timed_out',
      watchReason: 'no confirmation within 60 s',
      outcome: 'unknown',
      tier: 'pending',
      providerStatus: 'pending',
      source: 'stream',
      elapsedMs: 60_000,
    })
    expect(updates.at(-1)?.terminal).toBeUndefined()
    expect(state.terminal).toBeUndefined()
  })

  it('rule 5: after a time-out, later observations still advance, and the watch may still become reached', () => {
    const { state, updates } = run(
      start('confirmed'),
      tier('pending', T0 + 1),
      { kind: 'watch', status: 'timed_out', at: T0 + 2, providerStatus: 'verify-timeout', source: 'stream' },
      tier('included', T0 + 3, { source: 'snapshot' }),
      tier('confirmed', T0 + 4, { source: 'snapshot', outcome: 'success' }),
    )
    expect(updates.map((u) => [u.tier, u.watch, u.source])).toEqual([
      ['pending', 'watching', 'stream'],
      ['pending', 'timed_out', 'stream'],
      ['included', 'timed_out', 'snapshot'],
      ['confirmed', 'reached', 'snapshot'],
    ])
    expect(updates[1]?.providerStatus).toBe('verify-timeout')
    expect(state.watchReason).toBeUndefined()
  })

  it('rule 5: an abort is kept — later tiers advance the state, but the watch never becomes reached', () => {
    const { state, updates } = run(
      start('confirmed'),
      tier('pending', T0 + 1),
      { kind: 'watch', status: 'aborted', reason: 'user cancelled', at: T0 + 2 },
      { kind: 'watch', status: 'timed_out', at: T0 + 3 },
      tier('finalized', T0 + 4, { outcome: 'success' }),
    )
    expect(updates.map((u) => [u.tier, u.watch])).toEqual([
      ['pending', 'watching'],
      ['pending', 'aborted'],
      ['finalized', 'aborted'],
    ])
    expect(state.watch).toBe('aborted')
  })

  it('rule 5: a time-out after the target was reached changes nothing', () => {
    const reached = run(start('pending'), tier('pending', T0 + 1)).state
    expect(reached.watch).toBe('reached')
    const step = reduceLifecycle(reached, { kind: 'watch', status: 'timed_out', at: T0 + 2 })
    expect(step).toEqual({ state: reached, updates: [], diagnostics: [] })
  })

  it('rule 6: expired is rejected without lifetime evidence or without a not-found re-check', () => {
    const pending = run(start(), tier('pending', T0 + 1)).state
    const noEvidence = { ...expired(T0 + 2), evidence: '  ' }
    const { notFoundAt: _omitted, ...noRecheck } = expired(T0 + 3) as Extract<
      Observation,
      { kind: 'expired' }
    >
    for (const observation of [noEvidence, noRecheck as Observation]) {
      const step = reduceLifecycle(pending, observation)
      expect(step.state).toBe(pending)
      expect(step.updates).toEqual([])
      expect(codes(step.diagnostics)).toEqual(['expiry-without-evidence'])
    }
  })

  it('rule 6: expired with lifetime evidence and a not-found re-check ends the lifecycle', () => {
    const { state, updates } = run(start(), tier('pending', T0 + 1), expired(T0 + 90_000))
    expect(updates.at(-1)).toMatchObject({
      outcome: 'unknown',
      terminal: {
        kind: 'expired',
        evidence: 'block height 312000151 > lastValidBlockHeight 312000150',
        notFoundAt: T0 + 89_995,
        source: 'poll',
      },
    })
    expect(state.terminal?.kind).toBe('expired')
  })

  it('rule 6: not_found is counted (consecutive) but never terminal; a sighting resets the count', () => {
    const notFound: Observation = {
      kind: 'not_found',
      providerStatus: 'not_found',
      source: 'poll',
      at: T0 + 1,
    }
    const { state, updates } = run(start(), notFound, notFound, notFound)
    expect(updates).toEqual([])
    expect(state).toMatchObject({ notFoundCount: 3, tier: 'unknown', updatedAt: T0, watch: 'watching' })
    expect(state.terminal).toBeUndefined()
    expect(run(state, tier('pending', T0 + 2)).state.notFoundCount).toBe(0)
    const seen = run(start(), tier('pending', T0 + 1), notFound).state
    expect(run(seen, tier('pending', T0 + 3)).state.notFoundCount).toBe(0)
  })

  it('rule 7: a stream that closes after landed does not end the transaction', () => {
    const landed = run(start(), tier('pending', T0 + 1, { providerStatus: 'landed' })).state
    const step = reduceLifecycle(landed, {
      kind: 'stream_closed',
      reason: 'landed-only stream complete',
      at: T0 + 2,
    })
    expect(step).toEqual({ state: landed, updates: [], diagnostics: [] })
    expect(evaluateWait(step.state, 'confirmed')).toEqual({ kind: 'pending' })
  })

  it('rule 8: a wait resolves when tier >= target with an outcome other than failure', () => {
    const confirmed = run(start(), tier('confirmed', T0 + 1)).state
    expect(evaluateWait(confirmed, 'included')).toEqual({ kind: 'resolved', state: confirmed })
    expect(evaluateWait(confirmed, 'confirmed')).toEqual({ kind: 'resolved', state: confirmed })
    expect(evaluateWait(confirmed, 'finalized')).toEqual({ kind: 'pending' })
    expect(evaluateWait(confirmed)).toEqual({ kind: 'pending' }) // the state's own target: finalized
  })

  it('rule 8: failure rejects with TransactionFailed, also when finalized with failure', () => {
    const failedState = run(
      start(),
      tier('pending', T0 + 1),
      failed(T0 + 2, { error: 'InsufficientFundsForFee' }),
    ).state
    const verdict = evaluateWait(failedState, 'pending')
    expect(verdict.kind).toBe('rejected')
    if (verdict.kind !== 'rejected') return
    expect(isChainstreamError(verdict.error, 'TransactionFailed')).toBe(true)
    expect(verdict.error.message).toContain('InsufficientFundsForFee')
    expect(verdict.error.cause).toBe('InsufficientFundsForFee')

    const finalFailure = run(start(), tier('finalized', T0 + 1, { outcome: 'failure' })).state
    const finalVerdict = evaluateWait(finalFailure, 'finalized')
    expect(finalVerdict.kind === 'rejected' && finalVerdict.error.code).toBe('TransactionFailed')
  })

  it('rule 8: invalidation rejects with TransactionInvalidated, expiry with TransactionExpired', () => {
    const inv = evaluateWait(run(start(), tier('confirmed', T0 + 1), invalidated(T0 + 2)).state, 'pending')
    expect(inv.kind === 'rejected' && inv.error.code).toBe('TransactionInvalidated')
    expect(inv.kind === 'rejected' && inv.error.message).toContain('re-signing is safe only after expiry')

    const exp = evaluateWait(run(start(), expired(T0 + 2)).state, 'pending')
    expect(exp.kind === 'rejected' && exp.error.code).toBe('TransactionExpired')
    expect(exp.kind === 'rejected' && exp.error.message).toMatch(
      /lastValidBlockHeight.*re-signing it .* is safe now/s,
    )
  })

  it('rule 8: a time-out rejects with WaitTimeout whose message says the outcome is UNKNOWN', () => {
    const state = run(start('confirmed'), tier('pending', T0 + 1), {
      kind: 'watch',
      status: 'timed_out',
      at: T0 + 2,
    }).state
    const verdict = evaluateWait(state)
    expect(verdict.kind).toBe('rejected')
    if (verdict.kind !== 'rejected') return
    expect(verdict.error.code).toBe('WaitTimeout')
    expect(verdict.error.message).toContain('the outcome is UNKNOWN')
    expect(verdict.error.message).toContain('re-signing is safe only after expiry')
    // A lower tier than the watch's target was reached: a wait for it still resolves.
    expect(evaluateWait(state, 'pending')).toEqual({ kind: 'resolved', state })
  })

  it('rule 8: abort never resolves as success, even when the target is reached later', () => {
    const state = run(
      start('confirmed'),
      { kind: 'watch', status: 'aborted', error: new Error('caller gave up'), at: T0 + 1 },
      tier('finalized', T0 + 2, { outcome: 'success' }),
    ).state
    for (const target of ['pending', 'confirmed', 'finalized'] as const) {
      const verdict = evaluateWait(state, target)
      expect(verdict.kind === 'rejected' && verdict.error.code).toBe('Aborted')
    }
  })

  it('rule 8: an errored watch rejects with its error (code kept) and says the outcome is unknown', () => {
    const state = run(start(), tier('pending', T0 + 1), {
      kind: 'watch',
      status: 'errored',
      reason: 'invalid signature',
      at: T0 + 2,
    }).state
    const verdict = evaluateWait(state)
    expect(verdict.kind === 'rejected' && verdict.error.code).toBe('ServerError')
    expect(verdict.kind === 'rejected' && verdict.error.message).toContain('invalid signature')
    expect(verdict.kind === 'rejected' && verdict.error.message).toContain('outcome is unknown')

    const unauthorized = new ChainstreamError('Unauthorized', 'HTTP 401 — check the API key', { status: 401 })
    const fatal = run(start(), { kind: 'watch', status: 'errored', error: unauthorized, at: T0 + 1 }).state
    const fatalVerdict = evaluateWait(fatal)
    expect(fatalVerdict.kind === 'rejected' && fatalVerdict.error).toMatchObject({
      code: 'Unauthorized',
      status: 401,
      cause: unauthorized,
    })
    expect(fatalVerdict.kind === 'rejected' && fatalVerdict.error.message).toContain('check the API key')
  })

  it('rule 9: exactly one update carries a terminal, and nothing is emitted after it', () => {
    const { updates, diagnostics } = run(
      start(),
      tier('pending', T0 + 1),
      failed(T0 + 2, { error: 'x' }),
      failed(T0 + 3, { error: 'x' }), // duplicate terminal event (at-least-once): silent
      failed(T0 + 4, { tier: 'finalized', source: 'snapshot' }), // consistent, later news: silent
      tier('confirmed', T0 + 5), // consistent (no outcome claimed): silent
      { kind: 'watch', status: 'timed_out', at: T0 + 6 },
      { kind: 'not_found', providerStatus: 'not_found', source: 'poll', at: T0 + 7 },
      tier('finalized', T0 + 8, { outcome: 'success' }), // contradicts the failure
      invalidated(T0 + 9), // contradicts
    )
    expect(updates.filter((u) => u.terminal !== undefined)).toHaveLength(1)
    expect(updates.at(-1)?.terminal?.kind).toBe('failed')
    expect(codes(diagnostics)).toEqual(['observation-after-terminal', 'observation-after-terminal'])
  })

  it('rule 9: a sighting after an expiry contradicts it and is reported', () => {
    const ended = run(start(), expired(T0 + 1)).state
    const step = reduceLifecycle(ended, tier('confirmed', T0 + 2))
    expect(step.state).toBe(ended)
    expect(codes(step.diagnostics)).toEqual(['observation-after-terminal'])
  })

  it('rule 10: a stale snapshot with a lower tier after a stream update is dropped', () => {
    const live = run(start(), tier('confirmed', T0 + 1, { outcome: 'success' })).state
    const step = reduceLifecycle(live, tier('included', T0 + 2, { source: 'snapshot', outcome: 'success' }))
    expect(step.state).toBe(live)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['tier-regression'])
  })

  it("rule 10: a snapshot that advances is applied with source 'snapshot'", () => {
    const live = run(start(), tier('pending', T0 + 1, { providerStatus: 'landed' })).state
    const step = reduceLifecycle(
      live,
      tier('confirmed', T0 + 2, { source: 'snapshot', providerStatus: 'confirmed', outcome: 'success' }),
    )
    expect(step.updates).toEqual([
      expect.objectContaining({
        tier: 'confirmed',
        source: 'snapshot',
        providerStatus: 'confirmed',
        outcome: 'success',
      }),
    ])
    expect(step.state.source).toBe('snapshot')
  })

  it('rule 11: unknown provider statuses become unknown-status diagnostics, never exceptions', () => {
    const unknown: Observation = {
      kind: 'unknown_status',
      providerStatus: 'rooted-ish',
      source: 'stream',
      at: T0 + 2,
    }
    const state = run(start(), tier('pending', T0 + 1)).state
    const step = reduceLifecycle(state, unknown)
    expect(step.state).toBe(state)
    expect(step.updates).toEqual([])
    expect(codes(step.diagnostics)).toEqual(['unknown-status'])
    expect(step.diagnostics[0]?.message).toContain('rooted-ish')
    // Also after a terminal.
    const ended = run(state, invalidated(T0 + 3)).state
    expect(codes(reduceLifecycle(ended, unknown).diagnostics)).toEqual(['unknown-status'])
  })

  it('rule 11: malformed observations become invalid-observation diagnostics, never exceptions', () => {
    const state = start()
    const malformed: unknown[] = [
      null,
      'confirmed',
      { kind: 'teleported', at: T0 },
      { kind: Object.create(null), at: T0 },
      { kind: 'tier', tier: 'processed', providerStatus: 'processed', source: 'stream', at: T0 },
      { kind: 'tier', tier: 'unknown', providerStatus: 'x', source: 'stream', at: T0 },
      { kind: 'tier', tier: 'confirmed', outcome: 'maybe', providerStatus: 'x', source: 'stream', at: T0 },
      { kind: 'tier', tier: 'confirmed', providerStatus: 'x', source: 'carrier-pigeon', at: T0 },
      { kind: 'tier', tier: 'confirmed', providerStatus: 'x', source: 'stream', at: Number.NaN },
      { kind: 'failed', tier: 'landed', providerStatus: 'failed', source: 'stream', at: T0 },
      { kind: 'watch', status: 'finished', at: T0 },
      { kind: 'not_found', source: 'poll', at: T0 },
    ]
    for (const observation of malformed) {
      const step = reduceLifecycle(state, observation as Observation)
      expect(step.state).toBe(state)
      expect(step.updates).toEqual([])
      expect(codes(step.diagnostics)).toEqual(['invalid-observation'])
    }
  })
})
