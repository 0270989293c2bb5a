import { ChainstreamError } from '../errors/chainstream-error.js'
import type { Diagnostic } from '../provider/provider-v1.js'
import { lifecycleDiagnostic } from './lifecycle-diagnostics.js'
import type { LifecycleState, LifecycleTerminal } from './lifecycle-state.js'
import { isOutcome, isUpdateSource, type Outcome } from './lifecycle-types.js'
import { type LifecycleUpdate, updateOf } from './lifecycle-update.js'
import {
  type ExpiredObservation,
  type FailedObservation,
  type InvalidatedObservation,
  OBSERVATION_KINDS,
  type Observation,
  type TierObservation,
  type WatchObservation,
} from './observation.js'
import {
  compareTiers,
  FINALITY_TIERS,
  type FinalityTier,
  isObservedTier,
  isTierAtLeast,
  type ObservedTier,
  tierRank,
} from './tiers.js'

/**
 * The result of folding one observation into a lifecycle: the next state (the same object when nothing
 * changed), the updates to emit (zero or one), and diagnostics to report. An empty list is one frozen
 * array shared by every step (most steps have no diagnostics, many no update).
 */
export interface LifecycleStep {
  readonly state: LifecycleState
  readonly updates: readonly LifecycleUpdate[]
  readonly diagnostics: readonly Diagnostic[]
}

/** Where {@link foldLifecycle} sends the diagnostics of a step, as they arise. */
export type LifecycleDiagnosticSink = (diagnostic: Diagnostic) => void

/** What {@link createLifecycleState} needs. */
export interface CreateLifecycleStateInput {
  /** The tracked id (a Solana signature, a TON trace's external hash norm). */
  readonly id: string
  /** The chain name (`'solana'`, `'ton'`). */
  readonly chain: string
  /**
   * The tier the watch waits for.
   * @default 'finalized'
   */
  readonly target?: ObservedTier
  /** When tracking began (epoch ms). */
  readonly startedAt: number
}

/**
 * A fresh lifecycle: tier `unknown`, outcome `unknown`, watching for `target`.
 * Throws `InvalidArgument` for an empty id or chain, a target that is not a reportable tier, or a
 * start time that is not a finite number — mistakes of the caller, caught before anything is tracked.
 *
 * @example
 * ```ts
 * const state = createLifecycleState({ id: signature, chain: 'solana', target: 'confirmed', startedAt: Date.now() })
 * ```
 */
export function createLifecycleState(input: CreateLifecycleStateInput): LifecycleState {
  const target = checkLifecycleInput(input)
  return {
    id: input.id,
    chain: input.chain,
    target,
    startedAt: input.startedAt,
    updatedAt: input.startedAt,
    tier: 'unknown',
    outcome: 'unknown',
    watch: 'watching',
    tierReachedAt: NO_TIERS_REACHED,
    notFoundCount: 0,
  }
}

/**
 * The checks of {@link createLifecycleState}, without making the state: for a holder that makes it on
 * first use but must refuse a bad input at once. Returns the target, defaulted.
 */
export function checkLifecycleInput(input: CreateLifecycleStateInput): ObservedTier {
  const target = input.target ?? 'finalized'
  if (typeof input.id !== 'string' || input.id === '') {
    throw new ChainstreamError('InvalidArgument', 'a tracked transaction needs a non-empty id')
  }
  if (typeof input.chain !== 'string' || input.chain === '') {
    throw new ChainstreamError('InvalidArgument', `transaction ${input.id} needs a non-empty chain name`)
  }
  if (!isObservedTier(target)) {
    throw new ChainstreamError(
      'InvalidArgument',
      `target ${JSON.stringify(target)} is not a tier to wait for; use one of ${FINALITY_TIERS.slice(1).join(', ')}`,
    )
  }
  if (!Number.isFinite(input.startedAt)) {
    throw new ChainstreamError('InvalidArgument', 'startedAt must be a time in epoch milliseconds')
  }
  return target
}

/**
 * The `tierReachedAt` of every fresh state: one frozen object shared by all of them (a tracker may hold
 * tens of thousands of states that have seen nothing yet). The machine never writes to a state's record:
 * reaching a tier makes a new one.
 */
const NO_TIERS_REACHED: Readonly<Partial<Record<FinalityTier, number>>> = Object.freeze({})

/**
 * The lifecycle state machine, as a pure function: folds one {@link Observation} into a
 * {@link LifecycleState}. Never throws and has no side effects, so a tracker can feed it anything a
 * provider produced, in any order, as often as it arrives.
 *
 * The rules (the finality model):
 * 1. The tier never decreases. An equal tier with no new facts is a silent duplicate; a lower tier after
 *    a higher one is dropped with a `tier-regression` diagnostic.
 * 2. `finalized` absorbs: a failure, invalidation or expiry after it is an `anomaly-after-finalized`
 *    diagnostic and the state is kept.
 * 3. Invalidation ends a lifecycle below `finalized` (terminal `invalidated`). A TON trace may reappear
 *    later; this lifecycle stays ended (a sighting reports `observation-after-terminal`) — track the id
 *    again to follow the reappeared trace.
 * 4. `failed` ends the story with outcome `failure`, also straight after `pending`. A failure seen at
 *    `finalized` ends it with terminal `finalized` and outcome `failure`.
 * 5. Watch time-outs, aborts and errors are soft: they change the watch status only, never the outcome
 *    or the terminal. Later observations still advance the tier, and a timed-out watch may still become
 *    `reached`.
 * 6. `expired` is accepted only with lifetime evidence and a not-found re-check.
 * 7. A stream that closes is not a transaction that ended: nothing changes.
 * 8. See {@link evaluateWait} for what a wait makes of a state.
 * 9. Exactly one update carries a terminal; after it nothing is emitted (contradictions are diagnostics).
 * 10. Snapshots after a (re)connect merge by rule 1, like any other observation.
 * 11. Unknown provider statuses become `unknown-status` diagnostics, never exceptions.
 *
 * An update is emitted exactly when something observable changed: the tier, the outcome, the terminal or
 * the watch status. The watch becomes `reached` (once) when the tier is at least the target and the
 * outcome is not `failure`.
 *
 * @example
 * ```ts
 * let state = createLifecycleState({ id: sig, chain: 'solana', target: 'confirmed', startedAt: 0 })
 * const step = reduceLifecycle(state, { kind: 'tier', tier: 'confirmed', outcome: 'success',
 *   providerStatus: 'confirmed', source: 'stream', at: 420 })
 * state = step.state            // tier 'confirmed', watch 'reached'
 * step.updates[0]?.reachedTarget // true
 * ```
 */
export function reduceLifecycle(state: LifecycleState, observation: Observation): LifecycleStep {
  // One sink for every step rather than a closure per step (a function and its context, on every
  // observation of every tracked id). Saved and restored, so that a step inside a step (a diagnostic's
  // message calling back into the machine) cannot mix their lists.
  const outer = collected
  collected = undefined
  let next: LifecycleState
  let diagnostics: readonly Diagnostic[] | undefined
  try {
    next = foldLifecycle(state, observation, collect)
    diagnostics = collected
  } finally {
    collected = outer
  }
  const updates = isObservableChange(state, next)
    ? [updateOf(next, next.watch === 'reached' && state.watch !== 'reached', dataOf(observation))]
    : NONE
  return { state: next, updates, diagnostics: diagnostics ?? NONE }
}

/** The diagnostics of the step {@link reduceLifecycle} is taking, made on the first one. */
let collected: Diagnostic[] | undefined

function collect(diagnostic: Diagnostic): void {
  collected ??= []
  collected.push(diagnostic)
}

/** The provider's payload an update carries: a closed stream has none (and never changes the state). */
function dataOf(observation: Observation): unknown {
  return observation.kind === 'stream_closed' ? undefined : observation.data
}

/** The empty list of every step that has no update or no diagnostic: frozen, so sharing it is safe. */
const NONE: readonly never[] = Object.freeze([])

/**
 * {@link reduceLifecycle} without the update objects: the next state only (the same object when nothing
 * changed), with the step's diagnostics handed to `report` as they arise. The rules are the same — it is
 * the machine itself; `reduceLifecycle` is this plus the update. For a caller that folds many observations
 * and builds its own output (a provider's watch of thousands of ids): a step then makes no objects but
 * the new state. Whether the step would have emitted an update is {@link isObservableChange}.
 *
 * Never throws (unless `report` does) and has no side effects but the calls to `report`.
 *
 * @example
 * ```ts
 * const next = foldLifecycle(state, observation, (diagnostic) => log.warn(diagnostic.message))
 * if (isObservableChange(state, next)) render(next)
 * state = next
 * ```
 */
export function foldLifecycle(
  state: LifecycleState,
  observation: Observation,
  report: LifecycleDiagnosticSink,
): LifecycleState {
  const invalid = invalidObservation(state, observation)
  if (invalid !== undefined) {
    report(invalid)
    return state
  }

  switch (observation.kind) {
    case 'unknown_status':
      report(
        lifecycleDiagnostic(
          'unknown-status',
          state,
          observation,
          `unknown provider status ${JSON.stringify(observation.providerStatus)} (${observation.source}); ignored`,
        ),
      )
      return state
    case 'lookup_failed':
      report(
        lifecycleDiagnostic(
          'lookup-failed',
          state,
          observation,
          `status lookup failed${observation.reason ? ` (${observation.reason})` : ''}; it says nothing about the transaction`,
        ),
      )
      return state
    case 'stream_closed':
      // Rule 7: Venum closes the stream after `landed` in landed-only mode; the transaction goes on.
      return state
  }

  if (state.terminal !== undefined) return afterTerminal(state, state.terminal, observation, report)

  switch (observation.kind) {
    case 'tier':
      return onTier(state, observation, report)
    case 'failed':
      return onFailed(state, observation, report)
    case 'invalidated':
      return onInvalidated(state, observation)
    case 'expired':
      return onExpired(state, observation)
    case 'not_found':
      // Never terminal by itself: it may not have propagated yet, or a status cache forgot it.
      // Only counted: the caller decides when a run of them means a time-out or calls for a lifetime check.
      return { ...state, notFoundCount: state.notFoundCount + 1 }
    case 'watch':
      return onWatch(state, observation)
  }
}

/**
 * Whether a step from `before` to `after` changed something an update reports — the tier, the outcome,
 * the terminal or the watch status: exactly when {@link reduceLifecycle} emits an update for it. (A
 * not-found count or a duplicate's reset of it changes the state without an update.)
 */
export function isObservableChange(before: LifecycleState, after: LifecycleState): boolean {
  return (
    before !== after &&
    (before.tier !== after.tier ||
      before.outcome !== after.outcome ||
      before.terminal !== after.terminal ||
      before.watch !== after.watch)
  )
}

function onTier(
  state: LifecycleState,
  observation: TierObservation,
  report: LifecycleDiagnosticSink,
): LifecycleState {
  const order = compareTiers(observation.tier, state.tier)
  if (order < 0) {
    report(regression(state, observation))
    return state
  }

  const reported = observation.outcome ?? 'unknown'
  // The common case — no outcome, or the one already known — needs no merge.
  const outcome =
    reported === 'unknown' || reported === state.outcome
      ? state.outcome
      : mergeOutcome(state, observation, reported, report)
  if (order === 0 && outcome === state.outcome) {
    // A duplicate (at-least-once delivery, a snapshot of what the stream already said). It is still a
    // sighting, so a run of not-found lookups is over.
    return state.notFoundCount === 0 ? state : { ...state, notFoundCount: 0 }
  }

  const tier = order > 0 ? observation.tier : state.tier
  const next = advance(state, tier, outcome, errorOf(state, outcome, observation.error), observation)
  if (tier === 'finalized') next.terminal = terminalOf('finalized', observation)
  return settle(next)
}

function onFailed(
  state: LifecycleState,
  observation: FailedObservation,
  report: LifecycleDiagnosticSink,
): LifecycleState {
  const seenAt = observation.tier ?? state.tier
  const tier = compareTiers(seenAt, state.tier) > 0 ? seenAt : state.tier
  const outcome = mergeOutcome(state, observation, 'failure', report)
  // Rule 4 with rule 2: a failure reported at `finalized` is final, so the terminal says `finalized`
  // and the outcome says `failure` — the same as a finalized TON trace with an aborted transaction.
  const next = advance(state, tier, outcome, errorOf(state, outcome, observation.error), observation)
  next.terminal = terminalOf(tier === 'finalized' ? 'finalized' : 'failed', observation)
  return settle(next)
}

function onInvalidated(state: LifecycleState, observation: InvalidatedObservation): LifecycleState {
  // Only reachable below `finalized` (a finalized state is terminal), which is exactly rule 3. The
  // outcome is kept as observed: the terminal already says that the observation behind it was retracted.
  const next: LifecycleState = {
    ...state,
    updatedAt: observation.at,
    providerStatus: observation.providerStatus,
    source: observation.source,
    terminal: terminalOf('invalidated', observation),
  }
  return settle(next)
}

function onExpired(state: LifecycleState, observation: ExpiredObservation): LifecycleState {
  const next: LifecycleState = {
    ...state,
    updatedAt: observation.at,
    providerStatus: observation.providerStatus,
    source: observation.source,
    terminal: {
      kind: 'expired',
      at: observation.at,
      providerStatus: observation.providerStatus,
      source: observation.source,
      evidence: observation.evidence,
      notFoundAt: observation.notFoundAt,
    },
  }
  return settle(next)
}

function onWatch(state: LifecycleState, observation: WatchObservation): LifecycleState {
  // `reached` is kept (a time-out racing the last update changes nothing), and `aborted` is kept so that
  // an abort can never turn into success.
  if (state.watch === 'reached' || state.watch === 'aborted' || state.watch === observation.status) {
    return state
  }
  const { watchReason: _reason, watchError: _error, ...rest } = state
  // A local watchdog or abort has no provider status: the update keeps showing the last one.
  const next: LifecycleState = {
    ...rest,
    watch: observation.status,
    ...(observation.reason !== undefined ? { watchReason: observation.reason } : {}),
    ...(observation.error !== undefined ? { watchError: observation.error } : {}),
    ...(observation.providerStatus !== undefined ? { providerStatus: observation.providerStatus } : {}),
    ...(observation.source !== undefined ? { source: observation.source } : {}),
    updatedAt: observation.at,
  }
  return settle(next)
}

/** Rule 9: after a terminal nothing changes; only contradictions are worth a diagnostic. */
function afterTerminal(
  state: LifecycleState,
  terminal: LifecycleTerminal,
  observation: Observation,
  report: LifecycleDiagnosticSink,
): LifecycleState {
  const finalized = terminal.kind === 'finalized'
  const anomaly = (what: string) => {
    report(
      lifecycleDiagnostic(
        'anomaly-after-finalized',
        state,
        observation,
        `${what} after finalized is a provider anomaly; the finalized state is kept`,
      ),
    )
    return state
  }
  const contradiction = (what: string) => {
    report(
      lifecycleDiagnostic(
        'observation-after-terminal',
        state,
        observation,
        `${what} after it ended ${terminal.kind}; ignored — track the id again to follow it`,
      ),
    )
    return state
  }

  switch (observation.kind) {
    case 'tier': {
      if (compareTiers(observation.tier, state.tier) < 0) {
        report(regression(state, observation))
        return state
      }
      if (finalized) {
        return conflicting(observation.outcome, state.outcome)
          ? anomaly(`outcome ${observation.outcome} (was ${state.outcome})`)
          : state
      }
      // A failed transaction seen again at some tier is consistent unless it claims success.
      if (terminal.kind === 'failed') {
        return observation.outcome === 'success' ? contradiction('seen with outcome success') : state
      }
      return contradiction(`seen again at ${observation.tier}`)
    }
    case 'failed':
      if (finalized) return state.outcome === 'failure' ? state : anomaly('a failure')
      return terminal.kind === 'failed' ? state : contradiction('reported failed')
    case 'invalidated':
      if (finalized) return anomaly('an invalidation')
      return terminal.kind === 'invalidated' ? state : contradiction('reported invalidated')
    case 'expired':
      if (finalized) return anomaly('an expiry')
      return terminal.kind === 'expired' ? state : contradiction('reported expired')
    default:
      // not_found (status caches forget old transactions) and watch changes after the end are normal.
      return state
  }
}

/**
 * Combines the known outcome with a reported one. `failure` is sticky: a later `success` is ignored,
 * and a `failure` after `success` wins — a wrong failure costs a retry, a wrong success costs money.
 * Both contradictions are reported.
 */
function mergeOutcome(
  state: LifecycleState,
  observation: Observation,
  reported: Outcome,
  report: LifecycleDiagnosticSink,
): Outcome {
  if (reported === 'unknown' || reported === state.outcome) return state.outcome
  if (state.outcome === 'unknown') return reported
  report(
    lifecycleDiagnostic(
      'outcome-conflict',
      state,
      observation,
      reported === 'success'
        ? 'reported success after failure; the failure is kept'
        : 'reported failure after success; the failure is taken',
    ),
  )
  return reported === 'success' ? state.outcome : 'failure'
}

/**
 * The error that goes with the merged `outcome`: the known one while the outcome stays, the reported
 * one when the outcome turns to `failure`, none when it turns to anything else.
 */
function errorOf(state: LifecycleState, outcome: Outcome, reported: unknown): unknown {
  if (outcome === state.outcome) return state.error
  return outcome === 'failure' ? reported : undefined
}

/** A state being built by one step of the machine: fresh, so setting its fields shares nothing. */
type Draft = { -readonly [K in keyof LifecycleState]: LifecycleState[K] }

/**
 * The state after a provider's observation at `tier` (the same tier or a higher one) with `outcome` and
 * `error` (kept only when defined), as one object literal: the fields of every such state in one order,
 * so the machine's states share a few shapes, rather than a copy grown and shrunk field by field. Every
 * tier passed on the way is stamped as first reached at the observation's time. Only for a state without
 * a terminal (a terminal state never gets here).
 */
function advance(
  state: LifecycleState,
  tier: FinalityTier,
  outcome: Outcome,
  error: unknown,
  observation: TierObservation | FailedObservation,
): Draft {
  const next: Draft = {
    id: state.id,
    chain: state.chain,
    target: state.target,
    startedAt: state.startedAt,
    updatedAt: observation.at,
    tier,
    outcome,
    watch: state.watch,
    tierReachedAt: tier === state.tier ? state.tierReachedAt : reachedAt(state, tier, observation.at),
    notFoundCount: 0,
    providerStatus: observation.providerStatus,
    source: observation.source,
  }
  if (state.watchReason !== undefined) next.watchReason = state.watchReason
  if (state.watchError !== undefined) next.watchError = state.watchError
  if (error !== undefined) next.error = error
  return next
}

/** The state's `tierReachedAt` with every tier above its tier up to `tier` stamped at `at` (a new record). */
function reachedAt(
  state: LifecycleState,
  tier: FinalityTier,
  at: number,
): Partial<Record<FinalityTier, number>> {
  const reached: Partial<Record<FinalityTier, number>> = { ...state.tierReachedAt }
  for (let rank = tierRank(state.tier) + 1; rank <= tierRank(tier); rank++) {
    const passed = FINALITY_TIERS[rank]
    if (passed !== undefined && reached[passed] === undefined) reached[passed] = at
  }
  return reached
}

function terminalOf(
  kind: 'finalized' | 'failed' | 'invalidated',
  observation: TierObservation | FailedObservation | InvalidatedObservation,
): LifecycleTerminal {
  return { kind, at: observation.at, providerStatus: observation.providerStatus, source: observation.source }
}

/**
 * Finishes a step that changed something observable, turning the watch to `reached` when it is due. `next`
 * is the step's own fresh state (no caller holds it yet), so it is changed in place rather than copied again.
 */
function settle(next: Draft): LifecycleState {
  const reach =
    next.watch !== 'reached' &&
    next.watch !== 'aborted' &&
    isTierAtLeast(next.tier, next.target) &&
    next.outcome !== 'failure' &&
    (next.terminal === undefined || next.terminal.kind === 'finalized')
  if (!reach) return next
  let state = next
  if ('watchReason' in next || 'watchError' in next) {
    // Rare (a watch that timed out, then reached): a copy without them, as a delete would leave the
    // state in the slow dictionary mode.
    const { watchReason: _reason, watchError: _error, ...rest } = next
    state = rest
  }
  state.watch = 'reached'
  return state
}

function regression(state: LifecycleState, observation: TierObservation): Diagnostic {
  return lifecycleDiagnostic(
    'tier-regression',
    state,
    observation,
    `${observation.tier} (${observation.source}) after ${state.tier}: a stale or duplicate observation; dropped`,
  )
}

function conflicting(reported: Outcome | undefined, known: Outcome): boolean {
  return reported !== undefined && reported !== 'unknown' && known !== 'unknown' && reported !== known
}

// String() throws on some objects (a null prototype, a non-function toString); a diagnostic must not.
function show(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v)
  } catch {
    return typeof v
  }
}

function invalidDiagnostic(state: LifecycleState, value: unknown, why: string): Diagnostic {
  return lifecycleDiagnostic('invalid-observation', state, value, `invalid observation: ${why}`)
}

/**
 * Checks what the types promise but a JavaScript caller or a decoded payload may break. Returns the
 * diagnostic to report, or undefined when the observation is usable.
 */
function invalidObservation(state: LifecycleState, value: unknown): Diagnostic | undefined {
  // No closures here: this runs for every observation, and nearly always finds nothing.
  if (typeof value !== 'object' || value === null) return invalidDiagnostic(state, value, 'not an object')
  const o = value as Record<string, unknown>
  if (!(OBSERVATION_KINDS as readonly unknown[]).includes(o.kind))
    return invalidDiagnostic(state, value, `unknown kind ${show(o.kind)}`)
  if (typeof o.at !== 'number' || !Number.isFinite(o.at))
    return invalidDiagnostic(state, value, '`at` is not a finite time')
  const local = o.kind === 'watch' || o.kind === 'stream_closed'
  if (!local && typeof o.providerStatus !== 'string')
    return invalidDiagnostic(state, value, '`providerStatus` is not a string')
  if (!local && !isUpdateSource(o.source))
    return invalidDiagnostic(state, value, `unknown source ${show(o.source)}`)
  if (o.kind === 'watch') {
    if (o.status !== 'timed_out' && o.status !== 'aborted' && o.status !== 'errored') {
      return invalidDiagnostic(state, value, `unknown watch status ${show(o.status)}`)
    }
    if (o.source !== undefined && !isUpdateSource(o.source))
      return invalidDiagnostic(state, value, `unknown source ${show(o.source)}`)
    if (o.providerStatus !== undefined && typeof o.providerStatus !== 'string') {
      return invalidDiagnostic(state, value, '`providerStatus` is not a string')
    }
  }
  if (o.kind === 'tier') {
    if (!isObservedTier(o.tier))
      return invalidDiagnostic(state, value, `${show(o.tier)} is not a reportable tier`)
    if (o.outcome !== undefined && !isOutcome(o.outcome))
      return invalidDiagnostic(state, value, `unknown outcome ${show(o.outcome)}`)
  }
  if (o.kind === 'failed' && o.tier !== undefined && !isObservedTier(o.tier)) {
    return invalidDiagnostic(state, value, `${show(o.tier)} is not a reportable tier`)
  }
  if (o.kind === 'expired') {
    // Rule 6: a wrong expiry tells the caller that re-signing is safe — a double spend. Both facts or nothing.
    const missing: string[] = []
    if (typeof o.evidence !== 'string' || o.evidence.trim() === '') missing.push('lifetime evidence')
    if (typeof o.notFoundAt !== 'number' || !Number.isFinite(o.notFoundAt)) {
      missing.push('a not-found re-check after the lifetime ended')
    }
    if (missing.length > 0) {
      return lifecycleDiagnostic(
        'expiry-without-evidence',
        state,
        value,
        `expiry rejected, the transaction is still tracked: it needs ${missing.join(' and ')}`,
      )
    }
  }
  return undefined
}
