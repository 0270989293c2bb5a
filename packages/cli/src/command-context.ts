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

/**
 * `io`'s outputs with every API key of its environment replaced. Everything the CLI writes goes through
 * them — commander's own errors too, which quote the offending value (a key pasted into `--address`).
 */
export function redactedOutputs(io: CliIo): { stdout: CliOutput; stderr: CliOutput } {
  const secrets = secretsIn(io.env)
  return { stdout: redacting(io.stdout, secrets), stderr: redacting(io.stderr, secrets) }
}

/** The context of one run, writing to the (redacted) `outputs`. */
export function commandContext(
  io: CliIo,
  outputs: { stdout: CliOutput; stderr: CliOutput },
  color: boolean,
  interrupt: AbortSignal,
): CommandContext {
  const { stdout, stderr } = outputs
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
