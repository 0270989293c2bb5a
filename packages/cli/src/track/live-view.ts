import type { LifecycleUpdate } from '@chainstream/core'
import spinners from 'cli-spinners'
import { createLogUpdate } from 'log-update'
import type { CliOutput } from '../cli-io.js'
import type { CommandContext } from '../command-context.js'
import { seconds } from '../format/short.js'
import type { TrackResult } from './track-result.js'
import { startedAtOf, type TrackHeader, type TrackView } from './track-view.js'
import { verdictLine } from './verdict-text.js'

/**
 * The terminal as log-update sees it. A pseudo-terminal nobody sized (`script` under CI) reports 0 rows and
 * 0 columns, which log-update takes literally and prints nothing; unknown is what 0 means there, so it
 * gets log-update's defaults (80 × 24) instead.
 */
function sizedStream(output: CliOutput): NodeJS.WriteStream {
  return {
    write: (text: string) => output.write(text),
    isTTY: output.isTTY,
    columns: output.columns || undefined,
    rows: output.rows || undefined,
  } as unknown as NodeJS.WriteStream
}

/**
 * On a terminal: a block redrawn in place — a spinner while waiting, the tier, the outcome, the
 * provider's status, the time since the start, and the timeline of tiers reached — and, at the end, the
 * verdict in its place.
 */
export function liveView(context: CommandContext): TrackView {
  const { colors } = context
  const spinner = spinners.dots
  const render = createLogUpdate(sizedStream(context.stdout))
  let header: TrackHeader | undefined
  let last: LifecycleUpdate | undefined
  let startedAt = Date.now()
  let frame = 0
  const timeline: string[] = []
  // Shown inside the block: a line written to the terminal beside it would break the redraw.
  let warning: string | undefined

  const body = () => {
    const tier = last?.tier ?? 'unknown'
    const provider =
      last?.providerStatus === undefined ? colors.dim('waiting for the provider') : last.providerStatus
    const source = last?.source === undefined ? '' : colors.dim(` (${last.source})`)
    return [
      `  tier      ${colors.bold(tier)}`,
      `  outcome   ${last?.outcome ?? 'unknown'}`,
      `  provider  ${provider}${source}`,
      `  timeline  ${timeline.length > 0 ? timeline.join(colors.dim(' → ')) : colors.dim('nothing seen yet')}`,
      ...(warning === undefined ? [] : [`  note      ${colors.yellow(warning)}`]),
    ]
  }
  const draw = () => {
    if (header === undefined) return
    const mark = colors.cyan(spinner.frames[frame % spinner.frames.length] ?? '')
    render(
      [
        `${mark} ${header.chain} ${colors.bold(header.id)}`,
        `  waiting for ${header.until} — ${seconds(Date.now() - startedAt)} — ${colors.dim(header.label)}`,
        ...body(),
      ].join('\n'),
    )
  }
  const ticker = setInterval(() => {
    frame++
    draw()
  }, spinner.interval)

  return {
    start: (info) => {
      header = info
      startedAt = Date.now()
      draw()
    },
    update: (update) => {
      startedAt = startedAtOf(update)
      if (update.tier !== 'unknown' && update.tier !== last?.tier) {
        timeline.push(`${update.tier} ${colors.dim(`+${seconds(update.elapsedMs)}`)}`)
      }
      last = update
      draw()
    },
    warn: (message) => {
      warning = message
      draw()
    },
    finish: (result: TrackResult) => {
      clearInterval(ticker)
      last = result.update
      const title = header ? `${header.chain} ${colors.bold(header.id)}` : ''
      render([title, ...body(), verdictLine(result, Date.now() - startedAt, colors)].join('\n'))
      render.done()
    },
  }
}
