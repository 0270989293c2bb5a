import { FINALITY_TIERS } from '@chainstream/core'
import { TON_FINALITIES } from '@chainstream/provider-toncenter'
import { Command, Option, type OptionValues } from 'commander'
import packageJson from '../package.json' with { type: 'json' }
import type { CliOutput } from './cli-io.js'
import {
  collectSolanaSignatures,
  collectTonAddresses,
  collectTonTypes,
  solanaSignature,
  tonTraceHash,
} from './options/chain-values.js'
import { parseCount, parseDuration, parseSeed } from './options/duration.js'
import { defaultSeed, SIMULATED_OUTCOMES } from './simulate/simulated-outcome.js'
import type { TailSolanaOptions } from './tail/tail-solana.js'
import type { TailTonOptions } from './tail/tail-ton.js'
import type { TrackOptions } from './track/track-command.js'

/** What the parsed command line asks for; the program only parses, the runner acts. */
export type Invocation =
  | { readonly command: 'tail ton'; readonly options: TailTonOptions }
  | { readonly command: 'tail solana'; readonly options: TailSolanaOptions }
  | { readonly command: 'track'; readonly options: TrackOptions }

const DEFAULT_TON_TYPES = ['transactions', 'actions'] as const
const DEFAULT_TIMEOUT_MS = 120_000

// Commander prints its own errors (unknown flag, bad value) through this: one line, prefixed, with any
// suggestion ("Did you mean …?") kept on it, so scripts and people see the same single line.
function oneLine(text: string): string {
  return text
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
}

const tonConnection = (command: Command) =>
  command
    .addOption(
      new Option(
        '--provider <provider>',
        'TON service (default: the one whose key is set, TON Center first)',
      ).choices(['toncenter', 'tonapi']),
    )
    .addOption(new Option('--network <network>', 'TON network').choices(['mainnet', 'testnet']))
    .addOption(
      new Option('--transport <transport>', 'streaming transport').choices(['sse', 'ws']).default('ws'),
    )
    .option('--base-url <url>', 'a self-hosted server or proxy instead of the service')

const simulation = (command: Command) =>
  command
    .option('--simulate', 'run against the built-in simulators: no key, no network')
    .option('--seed <n>', "the simulators' seed, to replay a run (default: time-based)", parseSeed)

const tailLimits = (command: Command) =>
  command
    .option('--json', 'NDJSON: one object per line, stable field names (for jq and pipes)')
    .option('--limit <n>', 'stop after this many events', parseCount)
    .option('--duration <time>', 'stop after this long (90, 30s, 2m)', parseDuration)

const trackFlags = (command: Command) =>
  command
    .addOption(
      new Option('--until <tier>', 'the tier to wait for')
        .choices(FINALITY_TIERS.filter((tier) => tier !== 'unknown'))
        .default('finalized'),
    )
    .addOption(
      new Option('--timeout <time>', 'give up after this long, outcome unknown (0: never)')
        .argParser(parseDuration)
        .default(DEFAULT_TIMEOUT_MS, '2m'),
    )
    .option('--json', 'NDJSON: one object per update, then the result')
    .addOption(
      new Option('--simulate-outcome <outcome>', 'with --simulate: how the transaction ends').choices(
        SIMULATED_OUTCOMES,
      ),
    )

/**
 * The `chainstream` command line. Errors and help go to `stderr`/`stdout` through commander, which is set
 * to throw instead of exiting (the runner turns that into exit codes).
 */
export function buildProgram(
  output: { stdout: CliOutput; stderr: CliOutput },
  run: (invocation: Invocation) => Promise<void>,
): Command {
  const program = new Command('chainstream')
    .description('Real-time TON and Solana streams with explicit finality, from the terminal.')
    .version(packageJson.version, '-V, --version')
    .option('--no-color', 'plain text, without colours')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.stdout.write(text),
      writeErr: (text) => output.stderr.write(text),
      outputError: (text, write) => write(`chainstream: ${oneLine(text)}\n`),
    })

  const tail = program.command('tail').description('print events as they arrive, one line each')
  simulation(
    tailLimits(
      tonConnection(
        tail
          .command('ton')
          .description('TON events of some addresses (TON Center or TonAPI Streaming API v2)')
          .option(
            '-a, --address <address>',
            'a TON address in any form; repeat it or comma-separate',
            collectTonAddresses,
          )
          .option(
            '-t, --types <types>',
            'comma-separated: transactions, actions, trace, account_state_change, jettons_change (default: transactions,actions)',
            collectTonTypes,
          )
          .addOption(
            new Option('--min-finality <finality>', 'lowest finality to print (default: finalized)').choices(
              TON_FINALITIES,
            ),
          ),
      ),
    ),
  ).action(async (flags) => {
    await run({
      command: 'tail ton',
      options: {
        address: flags.address ?? [],
        types: flags.types ?? [...DEFAULT_TON_TYPES],
        minFinality: flags.minFinality,
        transport: flags.transport,
        provider: flags.provider,
        network: flags.network,
        baseUrl: flags.baseUrl,
        json: flags.json === true,
        limit: flags.limit,
        durationMs: flags.duration,
        simulate: flags.simulate === true,
        seed: flags.seed ?? defaultSeed(),
      },
    })
  })

  simulation(
    tailLimits(
      tail
        .command('solana')
        .description('status updates of Solana signatures (Venum); ends when every one is done')
        .option(
          '-s, --signature <signature>',
          'a transaction signature; repeat it or comma-separate',
          collectSolanaSignatures,
        )
        .option('--base-url <url>', 'a proxy instead of Venum'),
    ),
  ).action(async (flags) => {
    await run({
      command: 'tail solana',
      options: {
        signature: flags.signature ?? [],
        baseUrl: flags.baseUrl,
        json: flags.json === true,
        limit: flags.limit,
        durationMs: flags.duration,
        simulate: flags.simulate === true,
        seed: flags.seed ?? defaultSeed(),
      },
    })
  })

  const trackCommand = program
    .command('track')
    .description(
      'follow one transaction to a tier; the exit code tells the outcome (0 success, 1 failed, 2 unknown)',
    )
  simulation(
    trackFlags(
      tonConnection(
        trackCommand
          .command('ton')
          .description('a TON trace, by its trace_external_hash_norm')
          .argument(
            '[trace-hash]',
            'base64 (44 characters), url-safe base64, or 64 hex digits',
            tonTraceHash,
          ),
      ),
    ),
  ).action(async (id: string | undefined, flags) => {
    await run({ command: 'track', options: trackOptions('ton', id, flags) })
  })
  simulation(
    trackFlags(
      trackCommand
        .command('solana')
        .description('a Solana transaction, by its signature (Venum)')
        .argument('[signature]', 'base58, 86–88 characters', solanaSignature)
        .option('--base-url <url>', 'a proxy instead of Venum'),
    ),
  ).action(async (id: string | undefined, flags) => {
    await run({ command: 'track', options: trackOptions('solana', id, flags) })
  })
  return program
}

// Commander hands over the flags untyped (`OptionValues`); their values were already checked by the
// choices and parsers above, so only their names are mapped here.
function trackOptions(chain: 'ton' | 'solana', id: string | undefined, flags: OptionValues): TrackOptions {
  return {
    chain,
    id,
    until: flags.until,
    timeoutMs: flags.timeout,
    json: flags.json === true,
    simulate: flags.simulate === true,
    simulateOutcome: flags.simulateOutcome,
    seed: flags.seed ?? defaultSeed(),
    provider: flags.provider,
    network: flags.network,
    baseUrl: flags.baseUrl,
    transport: flags.transport ?? 'ws',
  }
}
