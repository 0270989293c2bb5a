import type { LifecycleUpdate } from '@chainstream/core'
import type { CommandContext } from '../command-context.js'
import { seconds, shortId } from '../format/short.js'
import type { TrackResult } from './track-result.js'
import { startedAtOf, type TrackHeader, type TrackView } from './track-view.js'
import { verdictLine } from './verdict-text.js'

/** Not a terminal (a pipe, a log file, CI): one plain line per update, and the verdict. */
export function plainView(context: CommandContext): TrackView {
  const { colors } = context
  let startedAt = Date.now()
  return {
    start: (header: TrackHeader) => {
      startedAt = Date.now()
      context.line(`track ${header.chain} ${header.id} until ${header.until} — ${header.label}`)
    },
    update: (update: LifecycleUpdate) => {
      startedAt = startedAtOf(update)
      const terminal = update.terminal ? `  terminal ${update.terminal.kind}` : ''
      context.line(
        `+${seconds(update.elapsedMs).padStart(7)}  ${update.chain} ${shortId(update.id)}  ` +
          `tier ${update.tier.padEnd(9)}  outcome ${update.outcome.padEnd(7)}  ` +
          `provider ${update.providerStatus ?? '-'} (${update.source ?? '-'})  watch ${update.watch}${terminal}`,
      )
    },
    warn: (message: string) => context.status(`track: ${message}`),
    finish: (result: TrackResult) => context.line(verdictLine(result, Date.now() - startedAt, colors)),
  }
}
