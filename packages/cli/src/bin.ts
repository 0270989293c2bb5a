#!/usr/bin/env node
// The `chainstream` executable: the process around `runCli` (signals, exit code).
import { runCli } from './run-cli.js'

const interrupt = new AbortController()
let signals = 0
const onSignal = () => {
  // The first Ctrl-C ends the command cleanly (connections closed, exit 130); a second one does not wait.
  signals++
  if (signals > 1) process.exit(130)
  interrupt.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
}).then((code) => {
  process.exitCode = code
  // Everything is closed by now; a socket a server keeps half-open must not hold the terminal.
  setTimeout(() => process.exit(code), 1_000).unref()
})
