import type { LifecycleUpdate, ObservedTier } from '@chainstream/core'
import type { TrackResult } from './track-result.js'

/** What a view is told about the run before the first update. */
export interface TrackHeader {
  readonly chain: 'ton' | 'solana'
  readonly id: string
  readonly until: ObservedTier
  /** The service (or simulator) in use, never with its key. */
  readonly label: string
}

/** How `track` shows its progress: the live TTY view, plain lines, or NDJSON. */
export interface TrackView {
  start(header: TrackHeader): void
  update(update: LifecycleUpdate): void
  /** A problem of the provider's watch that it recovers from (a dropped connection being retried). */
  warn(message: string): void
  finish(result: TrackResult): void
}

/** `startedAt` of the track, from any of its updates. */
export const startedAtOf = (update: LifecycleUpdate) => update.at - update.elapsedMs
