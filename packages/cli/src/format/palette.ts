import picocolors from 'picocolors'
import type { CliOutput } from '../cli-io.js'

/** The colours of one output: real ones on a terminal, plain text everywhere else. */
export type Palette = ReturnType<typeof picocolors.createColors>

/**
 * Colours for `output`: on only when it is a terminal, `--no-color` was not given and picocolors finds
 * colours supported (it honours `NO_COLOR` and `FORCE_COLOR`).
 */
export function paletteFor(output: CliOutput, color: boolean): Palette {
  return picocolors.createColors(color && output.isTTY === true && picocolors.isColorSupported)
}
