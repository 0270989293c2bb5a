import { ChainstreamError } from '../errors/chainstream-error.js'
import type { OverflowPolicy } from './bounded-queue.js'

/**
 * Checks a stream's `buffer.overflow` option: `fail` (the default) or `dropOldest`.
 *
 * @throws {ChainstreamError} `InvalidArgument` for anything else.
 */
export function bufferOverflow(overflow: OverflowPolicy = 'fail'): OverflowPolicy {
  if (overflow !== 'fail' && overflow !== 'dropOldest') {
    throw new ChainstreamError(
      'InvalidArgument',
      `buffer.overflow must be 'fail' or 'dropOldest', got ${String(overflow)}`,
    )
  }
  return overflow
}

/**
 * The error a handle reports when one of its `event` listeners threw (or rejected): retryable, with what
 * was thrown as its cause, since the handle carries on.
 *
 * @param handle - What carries on, as the message names it (`stream`, `watch`).
 */
export function listenerError(error: unknown, event: string, handle = 'stream'): ChainstreamError {
  return new ChainstreamError(
    'ProtocolError',
    `A '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}. The ${handle} continues.`,
    { cause: error, isRetryable: true },
  )
}

/**
 * Why `what` cannot complete on a closed stream: the error the stream ended with, or a `Closed` error
 * when it was closed by its owner.
 */
export function closedError(fatal: ChainstreamError | undefined, what: string): ChainstreamError {
  return (
    fatal ??
    new ChainstreamError('Closed', `The stream was closed before ${what} completed`, { isRetryable: false })
  )
}
