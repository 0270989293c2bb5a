#!/usr/bin/env node
// chainstream-relay --config relay.json — runs a relay until SIGINT/SIGTERM. Keys come from the
// environment (TONCENTER_API_KEY, VENUM_API_KEY, NATS_TOKEN / NATS_USER + NATS_PASS), never the file.
import { readFile } from 'node:fs/promises'
import { isChainstreamError, type Logger } from '@chainstream/core'
import { parseRelayConfig, relayOptionsFrom } from './config.js'
import { createRelay } from './relay.js'

const USAGE = 'usage: chainstream-relay --config <relay.json>'

const log =
  (level: string) =>
  (message: string, data?: Record<string, unknown>): void => {
    process.stderr.write(`${JSON.stringify({ level, at: new Date().toISOString(), message, ...data })}\n`)
  }
const logger: Logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') }

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.findIndex((arg) => arg === '--config' || arg === '-c')
  const file = at >= 0 ? argv[at + 1] : undefined
  if (!file || argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${USAGE}\n`)
    process.exitCode = file ? 0 : 2
    return
  }
  const config = parseRelayConfig(await readFile(file, 'utf8'), file)
  const options = relayOptionsFrom(config, process.env, logger)
  const relay = await createRelay(options)
  const stop = async () => {
    await relay.close()
    await Promise.all([options.providers.ton?.close(), options.providers.solana?.close()])
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
  process.stdout.write(
    `chainstream-relay ready: stream ${relay.names.stream}, subjects ${relay.names.prefix}.>\n`,
  )
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = isChainstreamError(error)
    ? error.message
    : error instanceof Error
      ? error.message
      : String(error)
  process.stderr.write(`chainstream-relay: ${message}\n`)
  process.exit(1)
})
