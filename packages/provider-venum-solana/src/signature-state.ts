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

/** What folding one frame into a signature's state produced. */
export interface FoldResult {
  readonly update?: VenumUpdate
  readonly diagnostics: readonly Diagnostic[]
}

const errText = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** A frame as a neutral observation (the core's Venum mapping) plus the details an update carries. */
export function observe(frame: VenumFrame, at: number): { observation: Observation; details: UpdateDetails } {
  switch (frame.kind) {
    case 'tx': {
      const err = errText(frame.err)
      return {
        observation: observationFromVenumStreamStatus(frame.status, {
          at,
          source: 'stream',
          data: frame.data,
          ...(frame.err !== undefined ? { err: frame.err } : {}),
        }),
        details: {
          source: 'stream',
          ...(frame.slot !== undefined ? { slot: frame.slot } : {}),
          ...(err !== undefined ? { err } : {}),
          ...(frame.ts !== undefined ? { ts: frame.ts } : {}),
        },
      }
    }
    case 'signature-error': {
      const err = [frame.error, frame.reason].filter(Boolean).join(': ') || undefined
      return {
        observation: observationFromVenumStreamError(frame, { at, source: 'stream', data: frame.data }),
        details: { source: 'stream', ...(err !== undefined ? { err } : {}) },
      }
    }
    case 'lookup': {
      const err = frame.body.status === 'failed' ? errText(frame.body.error ?? frame.body.reason) : undefined
      return {
        observation: observationFromVenumRest(frame.body, { at, source: frame.source, data: frame.body }),
        details: {
          source: frame.source,
          ...(frame.body.slot !== undefined ? { slot: frame.body.slot } : {}),
          ...(err !== undefined ? { err } : {}),
        },
      }
    }
  }
}

/** Whether the watch of a signature is over (a terminal, the target reached, a time-out or an error). */
export const isWatchOver = (state: LifecycleState): boolean =>
  state.terminal !== undefined || state.watch !== 'watching'

/**
 * One watched signature: its neutral lifecycle (the core's state machine applies the finality rules —
 * tiers never go back, duplicates are silent, failure is sticky, time-outs are soft) and the Venum-level
 * updates that come out of it.
 */
export class SignatureState {
  state: LifecycleState
  /** The last update carried `done`. */
  done = false
  /** Removed from the watch by the caller. */
  removed = false

  constructor(
    readonly signature: string,
    private readonly events: ReadonlySet<VenumEvent>,
    target: VenumEvent,
  ) {
    this.state = createLifecycleState({
      id: signature,
      chain: 'solana',
      target: VENUM_TIERS[target],
      startedAt: Date.now(),
    })
  }

  /**
   * Folds an observation in. Returns the update to emit, if the change is one the caller asked for (a
   * requested tier) or ends the watch (which is always reported).
   */
  fold(observation: Observation, details: UpdateDetails): FoldResult {
    if (this.done || this.removed) return { diagnostics: [] }
    const step = reduceLifecycle(this.state, observation)
    this.state = step.state
    if (step.updates.length === 0) return { diagnostics: step.diagnostics }
    const over = isWatchOver(step.state)
    const status = statusOf(step.state, observation)
    if (!over && !(status !== undefined && this.events.has(status as VenumEvent))) {
      return { diagnostics: step.diagnostics }
    }
    if (status === undefined) return { diagnostics: step.diagnostics }
    if (over) this.done = true
    const update: VenumUpdate = {
      signature: this.signature,
      status,
      ...details,
      ...(status === 'failed' && details.err === undefined && step.state.error !== undefined
        ? { err: errText(step.state.error) ?? 'failed' }
        : {}),
      tier: step.state.tier,
      outcome: step.state.outcome,
      done: over,
    }
    return { update, diagnostics: step.diagnostics }
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
