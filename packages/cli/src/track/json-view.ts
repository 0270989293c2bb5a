import type { LifecycleUpdate } from '@chainstream/core'
import type { CommandContext } from '../command-context.js'
import { trackResultRecord, trackUpdateRecord } from './track-record.js'
import type { TrackResult } from './track-result.js'
import type { TrackView } from './track-view.js'

/** `--json`: one {@link TrackUpdateRecord} per update, then one {@link TrackResultRecord}. */
export function jsonView(context: CommandContext): TrackView {
  return {
    start: () => {},
    update: (update: LifecycleUpdate) => context.line(JSON.stringify(trackUpdateRecord(update))),
    // Warnings are not records: stderr keeps them out of the NDJSON.
    warn: (message: string) => context.status(`track: ${message}`),
    finish: (result: TrackResult) => context.line(JSON.stringify(trackResultRecord(result))),
  }
}
