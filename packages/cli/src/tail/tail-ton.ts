import type { SubscribableEventType, TonFinality, TonNetwork } from '@chainstream/provider-toncenter'
import type { CommandContext } from '../command-context.js'
import { EXIT_CODES, type ExitCode } from '../exit-codes.js'
import { connectTon, connectTonSimulator, type TonProviderName } from '../providers/ton-client.js'
import { Resources } from '../resources.js'
import { startTonSimulation } from '../simulate/ton-simulation.js'
import { usageError } from '../usage.js'
import { TailEnding, type TailLimits } from './tail-ending.js'
import { tonTailLine, tonTailRecord } from './ton-tail-record.js'

/** The flags of `chainstream tail ton`. */
export interface TailTonOptions extends TailLimits {
  readonly address: readonly string[]
  readonly types: readonly SubscribableEventType[]
  readonly minFinality?: TonFinality | undefined
  readonly transport: 'sse' | 'ws'
  readonly provider?: TonProviderName | undefined
  readonly network?: TonNetwork | undefined
  readonly baseUrl?: string | undefined
  readonly json: boolean
  readonly simulate: boolean
  readonly seed: number
}

// The simulated chain: a few traces a second over the simulated wallets, some invalidated or failing.
const SIMULATED_TRACES_PER_SECOND = 3

/** Streams TON events of some addresses, one line each, until a limit, the duration, Ctrl-C or a fatal error. */
export async function tailTon(options: TailTonOptions, context: CommandContext): Promise<ExitCode> {
  if (!options.simulate && options.address.length === 0) {
    throw usageError('tail ton needs at least one --address (repeat it, or give a comma-separated list).')
  }
  const resources = new Resources()
  try {
    const simulation = options.simulate
      ? resources.add(await startTonSimulation({ seed: options.seed, addresses: options.address }), (s) =>
          s.close(),
        )
      : undefined
    const { client, label } = simulation
      ? connectTonSimulator(simulation, options.provider)
      : connectTon(options, context.env)
    resources.add(client, (c) => c.close())
    const addresses = simulation ? simulation.simulator.addresses : options.address
    let stream: ReturnType<typeof client.stream>
    try {
      stream = client.stream({
        transport: options.transport === 'ws' ? 'websocket' : 'sse',
        types: [...options.types],
        addresses: [...addresses],
        ...(options.minFinality === undefined ? {} : { minFinality: options.minFinality }),
      })
    } catch (error) {
      // A subscription the server would refuse is refused here, before any request: a usage error.
      throw usageError(error instanceof Error ? error.message : String(error))
    }
    resources.add(stream, (s) => s.close())

    const ending = new TailEnding(options, context.interrupt)
    context.status(`tail ton: ${label}, ${addresses.length} address(es), types ${options.types.join(',')}`)
    stream.on('state', (state) => context.status(`tail ton: ${state}`))
    stream.on('error', (error) => context.status(`tail ton: ${error.message}`))
    stream.on('event', (event) => {
      if (ending.ended) return
      const record = tonTailRecord(event, Date.now())
      context.line(options.json ? JSON.stringify(record) : tonTailLine(record, context.colors))
      ending.count()
    })
    void stream.closed.then((error) => {
      if (error === undefined) return ending.end(EXIT_CODES.success)
      context.stderr.write(`${context.errorColors.red(`chainstream: ${error.message}`)}\n`)
      ending.end(EXIT_CODES.failed)
    })
    if (simulation) {
      void stream
        .waitSubscribed({ timeoutMs: 15_000 })
        .then(() =>
          simulation.simulator.start({ seed: options.seed, ratePerSecond: SIMULATED_TRACES_PER_SECOND }),
        )
        .catch(() => {}) // a stream that never subscribes ends through `closed`
    }
    return await ending.done
  } finally {
    await resources.closeAll()
  }
}
