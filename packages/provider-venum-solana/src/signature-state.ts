import type { Diagnostic, LifecycleState } from '@chainstream/core'
import { createLifecycleState, type Observation, reduceLifecycle } from '@chainstream/core/provider'
import type { VenumFrame } from './venum-frame.js'
import {
  observationFromVenumRest,
  observationFromVenumStreamError,
  observationFromVenumStreamStatus,
} from './venum-observations.js'
import { VENUM_TIERS, type VenumEvent, type VenumStatus, venumEventOfTier } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'

/** The details of an update that the lifecycle state does not keep. */
interface UpdateDetails {
  readonly slot?: number
  readonly err?: string
  readonly ts?: number
  readonly source: VenumUpdate['source']
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** What folding one frame into a signature's state produced. */
export interface FoldResult {
  readonly update?: VenumUpdate
  readonly diagnostics: readonly Diagnostic[]
}

// Shared by every fold that changes nothing worth reporting and has nothing to say: most duplicates.
const NOTHING: FoldResult = Object.freeze({ diagnostics: Object.freeze([]) as readonly Diagnostic[] })

const errText = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/**
 * A frame as a neutral observation (the core's Venum mapping) plus the details an update carries. Runs
 * for every frame: objects are built field by field, not spread together.
 */
export function observe(frame: VenumFrame, at: number): { observation: Observation; details: UpdateDetails } {
  switch (frame.kind) {
    case 'tx': {
      const details: Mutable<UpdateDetails> = { source: 'stream' }
      if (frame.slot !== undefined) details.slot = frame.slot
      const err = errText(frame.err)
      if (err !== undefined) details.err = err
      if (frame.ts !== undefined) details.ts = frame.ts
      const context =
        frame.err !== undefined
          ? { at, source: 'stream' as const, data: frame.data, err: frame.err }
          : { at, source: 'stream' as const, data: frame.data }
      return { observation: observationFromVenumStreamStatus(frame.status, context), details }
    }
    case 'signature-error': {
      const err = [frame.error, frame.reason].filter(Boolean).join(': ') || undefined
      return {
        observation: observationFromVenumStreamError(frame, { at, source: 'stream', data: frame.data }),
        details: err !== undefined ? { source: 'stream', err } : { source: 'stream' },
      }
    }
    case 'lookup': {
      const err = frame.body.status === 'failed' ? errText(frame.body.error ?? frame.body.reason) : undefined
      const details: Mutable<UpdateDetails> = { source: frame.source }
      if (frame.body.slot !== undefined) details.slot = frame.body.slot
      if (err !== undefined) details.err = err
      return {
        observation: observationFromVenumRest(frame.body, { at, source: frame.source, data: frame.body }),
        details,
      }
    }
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
  private current: LifecycleState | undefined

  constructor(
    readonly signature: string,
    private readonly profile: TrackingProfile,
  ) {}

  /** The lifecycle so far (tier `unknown` before anything was seen). */
  get state(): LifecycleState {
    this.current ??= createLifecycleState({
      id: this.signature,
      chain: 'solana',
      target: VENUM_TIERS[this.profile.target],
      startedAt: this.profile.startedAt,
    })
    return this.current
  }

  /**
   * Folds an observation in. Returns the update to emit, if the change is one the caller asked for (a
   * requested tier) or ends the watch (which is always reported).
   */
  fold(observation: Observation, details: UpdateDetails): FoldResult {
    if (this.done || this.removed) return NOTHING
    const step = reduceLifecycle(this.state, observation)
    const state = step.state
    this.current = state
    const diagnostics = step.diagnostics.length === 0 ? NOTHING.diagnostics : step.diagnostics
    if (step.updates.length === 0) return diagnostics === NOTHING.diagnostics ? NOTHING : { diagnostics }
    const over = isWatchOver(state)
    const status = statusOf(state, observation)
    if (status === undefined || (!over && !this.profile.events.has(status as VenumEvent))) {
      return diagnostics === NOTHING.diagnostics ? NOTHING : { diagnostics }
    }
    if (over) this.done = true
    // Field by field, in the order a spread of the details gave: signature, status, source, then the rest.
    const update = { signature: this.signature, status, source: details.source } as Mutable<VenumUpdate>
    if (details.slot !== undefined) update.slot = details.slot
    if (details.err !== undefined) update.err = details.err
    else if (status === 'failed' && state.error !== undefined) update.err = errText(state.error) ?? 'failed'
    if (details.ts !== undefined) update.ts = details.ts
    update.tier = state.tier
    update.outcome = state.outcome
    update.done = over
    return { update, diagnostics }
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
