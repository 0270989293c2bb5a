#!/usr/bin/env node
// `pnpm web`: the live lifecycle page on http://127.0.0.1:5173 (or --port N / $PORT), on the built-in
// simulators — no key, no internet. Ctrl-C stops it.
import { startWebExample } from './server.mjs'

const args = process.argv.slice(2)
const portArg = args.indexOf('--port')
const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.PORT ?? 5173))
const example = await startWebExample({ port })
process.stdout.write(
  `chainstream web example: open ${example.url} (TON simulator ${example.ton.url}, Venum simulator ${example.venum.url})\n`,
)
const stop = async () => {
  await example.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
