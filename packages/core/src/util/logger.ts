/**
 * A pluggable logger. chainstream never writes to the console itself; pass `console` (or pino, or
 * anything with these four methods) to see what a stream does. Secrets are redacted before logging.
 */
export interface Logger {
  /** Detail for debugging (connections, frames, recovery steps). */
  debug(message: string, data?: Record<string, unknown>): void
  /** Notable events (a connection established, a subscription applied). */
  info(message: string, data?: Record<string, unknown>): void
  /** Problems the stream recovers from (a drop, a retry). */
  warn(message: string, data?: Record<string, unknown>): void
  /** Problems that need attention (a listener that threw, a fatal error). */
  error(message: string, data?: Record<string, unknown>): void
}

const noop = () => {}

/** The default logger: silent. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
