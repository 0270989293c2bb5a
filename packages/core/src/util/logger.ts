/**
 * A pluggable logger. chainstream never writes to the console itself; pass `console` (or pino, or
 * anything with these four methods) to see what a stream does. Secrets are redacted before logging.
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
  warn(message: string, data?: Record<string, unknown>): void
  error(message: string, data?: Record<string, unknown>): void
}

const noop = () => {}

/** The default logger: silent. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
