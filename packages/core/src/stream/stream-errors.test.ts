import { describe, expect, it } from 'vitest'
import { ChainstreamError } from '../errors/chainstream-error.js'
import type { OverflowPolicy } from './bounded-queue.js'
import { bufferOverflow, closedError, listenerError } from './stream-errors.js'

describe('stream errors', () => {
  it('defaults buffer.overflow to fail and refuses an unknown policy', () => {
    expect(bufferOverflow(undefined)).toBe('fail')
    expect(bufferOverflow('dropOldest')).toBe('dropOldest')
    expect(() => bufferOverflow('dropNewest' as OverflowPolicy)).toThrow(
      expect.objectContaining({
        code: 'InvalidArgument',
        message: "buffer.overflow must be 'fail' or 'dropOldest', got dropNewest",
      }),
    )
  })

  it('names the event and what carries on, keeping what was thrown as the cause', () => {
    const thrown = new Error('boom')
    const error = listenerError(thrown, 'event')
    expect(error).toMatchObject({ code: 'ProtocolError', isRetryable: true, cause: thrown })
    expect(error.message).toBe("A 'event' listener threw: boom. The stream continues.")
    expect(listenerError('nope', 'state', 'watch').message).toBe(
      "A 'state' listener threw: nope. The watch continues.",
    )
  })

  it('gives the error a stream ended with, or says it was closed', () => {
    const fatal = new ChainstreamError('ConnectionLost', 'gone')
    expect(closedError(fatal, 'update')).toBe(fatal)
    expect(closedError(undefined, 'update')).toMatchObject({
      code: 'Closed',
      isRetryable: false,
      message: 'The stream was closed before update completed',
    })
  })
})
