/**
 * The `chainstream` command (tail and track from the terminal) and, for embedding it, its runner and the
 * shapes of its NDJSON output.
 *
 * @module @chainstream/cli
 */

export { runCli } from './run-cli.js'
export type { CliIo, CliOutput } from './cli-io.js'
export { EXIT_CODES, type ExitCode } from './exit-codes.js'
export { SIMULATED_OUTCOMES, type SimulatedOutcome } from './simulate/simulated-outcome.js'
export type { TonTailRecord } from './tail/ton-tail-record.js'
export type { SolanaTailRecord } from './tail/solana-tail-record.js'
export type { TrackResultRecord, TrackUpdateRecord } from './track/track-record.js'
export type { TrackVerdict } from './track/track-result.js'
