import type { CliIo, CliOutput } from './cli-io.js'
import { type Palette, paletteFor } from './format/palette.js'
import { redact, secretsIn } from './options/api-keys.js'

/** What every command gets: redacting outputs with their colours, and the interrupt signal. */
export interface CommandContext {
  readonly stdout: CliOutput
  readonly stderr: CliOutput
  readonly colors: Palette
  readonly errorColors: Palette
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborted on Ctrl-C / SIGTERM (or the caller's signal): the command ends with exit 130. */
  readonly interrupt: AbortSignal
  /** Writes one line to stdout. */
  line(text: string): void
  /** Writes one status line to stderr (connection states, warnings), keeping stdout for the data. */
  status(text: string): void
}

/** `output` with every API key of the environment replaced by `***` in whatever is written. */
function redacting(output: CliOutput, secrets: readonly string[]): CliOutput {
  if (secrets.length === 0) return output
  return {
    write: (text: string) => output.write(redact(text, secrets)),
    get isTTY() {
      return output.isTTY
    },
    get columns() {
      return output.columns
    },
    get rows() {
      return output.rows
    },
  }
}

/** The context of one run. */
export function commandContext(io: CliIo, color: boolean, interrupt: AbortSignal): CommandContext {
  const secrets = secretsIn(io.env)
  const stdout = redacting(io.stdout, secrets)
  const stderr = redacting(io.stderr, secrets)
  const errorColors = paletteFor(io.stderr, color)
  return {
    stdout,
    stderr,
    colors: paletteFor(io.stdout, color),
    errorColors,
    env: io.env,
    interrupt,
    line: (text) => stdout.write(`${text}\n`),
    status: (text) => stderr.write(`${errorColors.dim(text)}\n`),
  }
}
