import type { LifecycleState } from '@chainstream/core'
import {
  createLifecycleState,
  foldLifecycle,
  isObservableChange,
  type LifecycleDiagnosticSink,
  type Observation,
} from '@chainstream/core/provider'
import type { VenumFrame } from './venum-frame.js'
import {
  observationFromVenumRest,
  observationFromVenumStreamError,
  streamStatusObservation,
} from './venum-observations.js'
import { VENUM_TIERS, type VenumEvent, type VenumStatus, venumEventOfTier } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const errText = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** Whether the watch of a signature is over (a terminal, the target reached, a time-out or an error). */
export const isWatchOver = (state: LifecycleState): boolean =>
  state.terminal !== undefined || state.watch !== 'watching'

/**
 * What the signatures a watch starts tracking together share (one object for all of them): the tiers it
 * reports, its target, and when their tracking began.
 */
export interface TrackingProfile {
  readonly events: ReadonlySet<VenumEvent>
  readonly target: VenumEvent
  /** Epoch ms: the `startedAt` of their lifecycles. */
  readonly startedAt: number
}

/**
 * One watched signature: its neutral lifecycle (the core's state machine applies the finality rules —
 * tiers never go back, duplicates are silent, failure is sticky, time-outs are soft) and the Venum-level
 * updates that come out of it.
 *
 * The lifecycle is made on first use: a watch of thousands of signatures has most of them waiting for a
 * stream, and a fresh lifecycle is the same for all of them but the id.
 */
export class SignatureState {
  /** The last update carried `done`. */
  done = false
  /** Removed from the watch by the caller. */
  removed = false
  #current: LifecycleState | undefined
  readonly #profile: TrackingProfile

  constructor(
    readonly signature: string,
    profile: TrackingProfile,
  ) {
    this.#profile = profile
  }

  /** The lifecycle so far (tier `unknown` before anything was seen). */
  get state(): LifecycleState {
    this.#current ??= createLifecycleState({
      id: this.signature,
      chain: 'solana',
      target: VENUM_TIERS[this.#profile.target],
      startedAt: this.#profile.startedAt,
    })
    return this.#current
  }

  /**
   * Folds a frame in: a stream event, a snapshot, a poll or a final lookup, seen at `at` (epoch ms).
   * Returns the update to emit, if the change is one the caller asked for (a requested tier) or ends the
   * watch (which is always reported); the lifecycle's diagnostics go to `report`. Runs for every frame:
   * the frame's own fields go straight into the observation and the update, without objects in between.
   */
  receive(frame: VenumFrame, at: number, report: LifecycleDiagnosticSink): VenumUpdate | undefined {
    if (this.done || this.removed) return undefined
    switch (frame.kind) {
      case 'tx': {
        const observation = streamStatusObservation(frame.status, at, 'stream', frame.data, frame.err)
        return this.#fold(observation, 'stream', frame.slot, errText(frame.err), frame.ts, report)
      }
      case 'signature-error': {
        const observation = observationFromVenumStreamError(frame, { at, source: 'stream', data: frame.data })
        const err = [frame.error, frame.reason].filter(Boolean).join(': ') || undefined
        return this.#fold(observation, 'stream', undefined, err, undefined, report)
      }
      case 'lookup': {
        const { body } = frame
        const observation = observationFromVenumRest(body, { at, source: frame.source, data: body })
        const err = body.status === 'failed' ? errText(body.error ?? body.reason) : undefined
        return this.#fold(observation, frame.source, body.slot, err, undefined, report)
      }
    }
  }

  #fold(
    observation: Observation,
    source: VenumUpdate['source'],
    slot: number | undefined,
    err: string | undefined,
    ts: number | undefined,
    report: LifecycleDiagnosticSink,
  ): VenumUpdate | undefined {
    // The fold, not the full step: the Venum update below is made from the state, so the lifecycle update
    // a step would build (and its lists) would be garbage on every frame of every signature.
    const before = this.state
    const state = foldLifecycle(before, observation, report)
    this.#current = state
    if (!isObservableChange(before, state)) return undefined
    const over = isWatchOver(state)
    const status = statusOf(state, observation)
    if (status === undefined || (!over && !this.#profile.events.has(status as VenumEvent))) return undefined
    if (over) this.done = true
    const { tier, outcome } = state
    if (slot !== undefined && ts !== undefined && err === undefined && status !== 'failed') {
      // A stream event's update, nearly all of them: one literal with every field, in the same order.
      return { signature: this.signature, status, source, slot, ts, tier, outcome, done: over }
    }
    // Field by field, in the order a spread of the details gave: signature, status, source, then the rest.
    const update = { signature: this.signature, status, source } as Mutable<VenumUpdate>
    if (slot !== undefined) update.slot = slot
    if (err !== undefined) update.err = err
    else if (status === 'failed' && state.error !== undefined) update.err = errText(state.error) ?? 'failed'
    if (ts !== undefined) update.ts = ts
    update.tier = tier
    update.outcome = outcome
    update.done = over
    return update
  }
}

/** The Venum status that describes a state after `observation` changed it. */
function statusOf(state: LifecycleState, observation: Observation): VenumStatus | undefined {
  if (state.outcome === 'failure') return 'failed'
  if (state.watch === 'timed_out') {
    return observation.kind === 'watch' && observation.providerStatus === 'timeout'
      ? 'timeout'
      : 'verify-timeout'
  }
  if (state.watch === 'errored') return 'error'
  return venumEventOfTier(state.tier)
}
