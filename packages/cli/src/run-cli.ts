import { isChainstreamError } from '@chainstream/core'
import { CommanderError } from 'commander'
import type { CliIo } from './cli-io.js'
import { type CommandContext, commandContext, redactedOutputs } from './command-context.js'
import { EXIT_CODES } from './exit-codes.js'
import { buildProgram, type Invocation } from './program.js'
import { tailSolana } from './tail/tail-solana.js'
import { tailTon } from './tail/tail-ton.js'
import { track } from './track/track-command.js'

// Commander's ways of ending a run that are not mistakes.
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version'])

function act(invocation: Invocation, context: CommandContext) {
  switch (invocation.command) {
    case 'tail ton':
      return tailTon(invocation.options, context)
    case 'tail solana':
      return tailSolana(invocation.options, context)
    case 'track':
      return track(invocation.options, context)
  }
}

/**
 * Runs `chainstream` with `argv` (the arguments after the program name) and resolves with the exit code:
 * 0 success; 1 failed (the transaction failed or was invalidated; a tail's stream ended with an error);
 * 2 outcome unknown (time-out, the watch stopped); 64 bad input, reported in one line; 130 interrupted.
 * Never rejects. API keys come only from `io.env` and never appear in anything written.
 *
 * @example
 * ```ts
 * import { runCli } from '@chainstream/cli'
 *
 * const code = await runCli(['track', 'solana', '--simulate', '--json'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 * })
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const interrupt = io.signal ?? new AbortController().signal
  let context: CommandContext | undefined
  let code: number = EXIT_CODES.success
  let invoked: Invocation | undefined
  const outputs = redactedOutputs(io)
  const program = buildProgram(outputs, async (invocation) => {
    invoked = invocation
    context = commandContext(io, outputs, program.opts().color !== false, interrupt)
    code = await act(invocation, context)
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return code
  } catch (error) {
    if (error instanceof CommanderError) {
      return CLEAN_EXITS.has(error.code) ? EXIT_CODES.success : EXIT_CODES.usage
    }
    const ctx = context ?? commandContext(io, outputs, false, interrupt)
    const message = error instanceof Error ? error.message : String(error)
    ctx.stderr.write(`chainstream: ${message.replace(/\s*\n\s*/g, ' ')}\n`)
    if (isChainstreamError(error, 'InvalidArgument')) return EXIT_CODES.usage
    // Anything else stopped the command before it had a result: for `track` the outcome is unknown.
    return invoked?.command === 'track' ? EXIT_CODES.unknown : EXIT_CODES.failed
  }
}
