import type { CommandContext } from '../command-context.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { connectVenum, connectVenumSimulator } from '../providers/venum-client.js'
import { Resources } from '../resources.js'
import { startSolanaSimulation } from '../simulate/solana-simulation.js'
import { usageError } from '../usage.js'
import { solanaTailLine, solanaTailRecord } from './solana-tail-record.js'
import { TailEnding, type TailLimits } from './tail-ending.js'

/** The flags of `chainstream tail solana`. */
export interface TailSolanaOptions extends TailLimits {
  readonly signature: readonly string[]
  readonly baseUrl?: string | undefined
  readonly json: boolean
  readonly simulate: boolean
  readonly seed: number
}

// Signatures a simulated tail watches when given none.
const SIMULATED_SIGNATURES = 3

/**
 * Streams the status updates of Solana signatures, one line each; ends when every signature is done (or
 * at a limit, the duration, Ctrl-C or a fatal error).
 */
export async function tailSolana(options: TailSolanaOptions, context: CommandContext): Promise<ExitCode> {
  if (!options.simulate && options.signature.length === 0) {
    throw usageError(
      'tail solana needs at least one --signature (repeat it, or give a comma-separated list).',
    )
  }
  const resources = new Resources()
  try {
    const simulation = options.simulate
      ? resources.add(await startSolanaSimulation(options.seed), (s) => s.close())
      : undefined
    const { client, label } = simulation
      ? connectVenumSimulator(simulation.simulator.url, simulation.simulator.apiKey)
      : connectVenum(options.baseUrl, context.env)
    resources.add(client, (c) => c.close())
    const signatures =
      options.signature.length > 0
        ? options.signature
        : Array.from({ length: SIMULATED_SIGNATURES }, (_, n) => simulation!.signature(n))

    const ending = new TailEnding(options, context.interrupt)
    context.status(`tail solana: ${label}, ${signatures.length} signature(s)`)
    const watch = resources.add(client.watch({ signatures }), (w) => w.close())
    watch.on('error', (error) => context.status(`tail solana: ${error.message}`))
    watch.on('update', (update) => {
      if (ending.ended) return
      const record = solanaTailRecord(update, Date.now())
      context.line(options.json ? JSON.stringify(record) : solanaTailLine(record, context.colors))
      ending.count()
    })
    void watch.closed.then((error) => {
      if (error === undefined) return ending.end(EXIT_CODES.success)
      context.stderr.write(`${context.errorColors.red(`chainstream: ${error.message}`)}\n`)
      ending.end(EXIT_CODES.failed)
    })
    return await ending.done
  } finally {
    await resources.closeAll()
  }
}
