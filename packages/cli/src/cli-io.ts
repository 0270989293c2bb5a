/** Where a run of the CLI reads its environment and writes its output. */
export interface CliIo {
  /** Events, timelines and results. */
  readonly stdout: CliOutput
  /** Status lines (connection state, simulator addresses) and errors, so `stdout` stays clean for pipes. */
  readonly stderr: CliOutput
  /** The environment the API keys are read from (`TONCENTER_API_KEY`, `TONAPI_API_KEY`, `VENUM_API_KEY`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Aborting ends the command as Ctrl-C does (exit code 130). */
  readonly signal?: AbortSignal
}

/** A writable text stream; `isTTY` turns on the live view and colours. */
export interface CliOutput {
  /** Writes text as is (lines end with `\n`). */
  write(text: string): unknown
  /** A terminal: `track` redraws its timeline in place, and colours may be used. */
  readonly isTTY?: boolean | undefined
  /** The terminal's width, when known. */
  readonly columns?: number | undefined
  /** The terminal's height, when known. */
  readonly rows?: number | undefined
}
