import type { Palette } from '../format/palette.js'
import { seconds } from '../format/short.js'
import type { TrackResult } from './track-result.js'

/** The closing line of a run for people: a mark, the verdict, the tier and outcome, and the exit code. */
export function verdictLine(result: TrackResult, elapsedMs: number, colors: Palette): string {
  const { update, verdict, code } = result
  const mark =
    verdict === 'success'
      ? colors.green('✔')
      : verdict === 'failed' || verdict === 'invalidated' || verdict === 'expired'
        ? colors.red('✖')
        : colors.yellow('⚠')
  const words =
    verdict === 'success'
      ? `reached ${update.target}`
      : verdict === 'timed out'
        ? 'timed out: the outcome is unknown'
        : verdict === 'unknown'
          ? 'the watch stopped: the outcome is unknown'
          : verdict
  const why = result.message === undefined ? '' : `\n  ${colors.dim(result.message)}`
  return (
    `${mark} ${colors.bold(words)} — tier ${update.tier}, outcome ${update.outcome}, after ` +
    `${seconds(elapsedMs)} (exit ${code})${why}`
  )
}
