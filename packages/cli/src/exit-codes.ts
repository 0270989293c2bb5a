/**
 * The exit codes of `chainstream`. `track` exits by the transaction's outcome, so scripts can branch on it
 * without parsing output; 64 is `EX_USAGE` of sysexits(3), 130 the shell's code for Ctrl-C.
 *
 * @example
 * ```ts
 * const code = await runCli(['track', 'solana', signature, '--until', 'confirmed'])
 * if (code === EXIT_CODES.failed) console.error('failed on chain')
 * ```
 */
export const EXIT_CODES = {
  /** `track`: the target tier was reached without a failure. `tail`: the stream ended normally. */
  success: 0,
  /** `track`: the transaction failed, was invalidated or expired. `tail`: the stream ended with an error. */
  failed: 1,
  /** `track`: timed out, or the watch stopped (a stream error): the outcome is unknown. */
  unknown: 2,
  /** Bad input: a malformed address, signature or trace hash, an unknown flag, a missing key. */
  usage: 64,
  /** Interrupted (Ctrl-C, SIGTERM). */
  interrupted: 130,
} as const

/** One of the {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]
