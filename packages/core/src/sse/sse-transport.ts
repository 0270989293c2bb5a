import { abortError, ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import { httpError, parseBody, parseRetryAfter } from '../errors/http-error.js'
import { redactUrl } from '../errors/redact.js'
import * as runtime from '../runtime/runtime.js'
import { endedByClient } from '../util/abort.js'
import { createSseParser } from './sse-parser.js'
import { openWithFetch, readBodyText, type SseRequestInit, type SseResponse } from './sse-response.js'
import type { SseCloseReason, SseConnection, SseConnectOptions } from './sse-transport-types.js'

/** Default {@link SseConnectOptions.openTimeoutMs}. */
export const DEFAULT_OPEN_TIMEOUT_MS = 30_000

/** How much of an error response's body is read for the error report. */
const ERROR_BODY_LIMIT = 64 * 1024

/** The message of an error and of its causes (`fetch failed` alone says nothing; its cause does). */
function describe(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      parts.push(
        typeof code === 'string' && !current.message.includes(code)
          ? `${current.message} (${code})`
          : current.message,
      )
      current = current.cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(': ')
}

function buildRequest(options: SseConnectOptions, signal: AbortSignal): SseRequestInit {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  headers.accept ??= 'text/event-stream'
  const init: SseRequestInit = { method, headers, signal }
  if (options.body !== undefined) {
    if (method === 'GET') {
      throw new ChainstreamError('InvalidArgument', 'An SSE request with a body must use method POST', {
        isRetryable: false,
      })
    }
    headers['content-type'] ??= 'application/json'
    init.body = JSON.stringify(options.body)
  }
  return init
}

/**
 * Opens a Server-Sent Events connection and resolves once the response headers arrived with a 2xx
 * status; events then flow to `options.onEvent` until the connection ends, which `closed` reports.
 *
 * Uses the runtime's HTTP client by default (undici's `request` on Node, the global `fetch` elsewhere),
 * or `options.fetch` when given. Failures while opening reject with
 * a `ChainstreamError`: `Aborted` (the signal fired), `OpenTimeout`, `ConnectionClosed` (refused or
 * reset; retryable), or the typed HTTP error of a non-2xx answer (`Unauthorized`, `RateLimited`
 * with `retryAfterMs`, `HttpError` with `status` and the parsed `body`, …). URLs in messages are redacted.
 *
 * Once open, `closed` resolves (never rejects) with `{kind:'end'}` when the server ends the body,
 * `{kind:'closed'}` after `close()` or an abort, or `{kind:'error'}` with `ConnectionClosed` (socket
 * dropped; a partial event is not delivered), `HeartbeatTimeout` (no bytes for `heartbeatTimeoutMs`) or
 * `EventTooLarge`. The socket is closed and every timer cleared when it ends.
 *
 * The callbacks run synchronously on the read loop and never before the caller has received the
 * connection. A callback that throws ends the connection with `{kind:'error'}`, a `ConnectionClosed`
 * error whose `cause` is the thrown value: callers are expected to catch their own errors.
 *
 * @example
 * ```ts
 * const connection = await connectSse({ url, heartbeatTimeoutMs: 30_000, onEvent: (m) => handle(m.data) })
 * const reason = await connection.closed
 * ```
 */
export async function connectSse(options: SseConnectOptions): Promise<SseConnection> {
  // For error messages only, so made on the first one: redacting parses the URL, and a client that opens
  // a stream per batch of signatures opens thousands that end without an error.
  let redacted: string | undefined
  const safeUrl = (): string => {
    redacted ??= redactUrl(options.url)
    return redacted
  }
  try {
    new URL(options.url)
  } catch {
    throw new ChainstreamError('InvalidArgument', `Invalid SSE URL: ${safeUrl()}`, { isRetryable: false })
  }
  const signal = options.signal
  if (signal?.aborted) throw abortError(signal, `Connecting to ${safeUrl()}`)

  const controller = new AbortController()
  const init = buildRequest(options, controller.signal)

  // Why the open phase was cut short by us (abort or timeout), as opposed to a network failure.
  let openFailure: ChainstreamError | undefined
  const failOpen = (error: ChainstreamError) => {
    openFailure ??= error
    controller.abort(error)
  }
  const onOpenAbort = () => failOpen(abortError(signal, `Connecting to ${safeUrl()}`))
  signal?.addEventListener('abort', onOpenAbort, { once: true })
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS
  const openTimer =
    openTimeoutMs > 0 && Number.isFinite(openTimeoutMs)
      ? setTimeout(
          () =>
            failOpen(
              new ChainstreamError(
                'OpenTimeout',
                `Opening the SSE connection to ${safeUrl()} took longer than ${openTimeoutMs} ms (openTimeoutMs)`,
              ),
            ),
          openTimeoutMs,
        )
      : undefined
  const endOpenPhase = () => {
    if (openTimer !== undefined) clearTimeout(openTimer)
    signal?.removeEventListener('abort', onOpenAbort)
  }

  let response: SseResponse
  try {
    response = await (options.fetch
      ? openWithFetch(options.fetch, options.url, init)
      : runtime.openSse(options.url, init))
  } catch (error) {
    endOpenPhase()
    if (openFailure) throw openFailure
    if (isChainstreamError(error)) throw error
    throw new ChainstreamError('ConnectionClosed', `Could not connect to ${safeUrl()}: ${describe(error)}`, {
      cause: error,
    })
  }

  if (response.status < 200 || response.status > 299) {
    let text = ''
    try {
      text = await readBodyText(response, ERROR_BODY_LIMIT)
    } catch {
      // The body is only for the report; the status alone still classifies the error.
    }
    endOpenPhase()
    response.cancel()
    controller.abort(endedByClient())
    if (openFailure) throw openFailure
    throw httpError({
      status: response.status,
      body: parseBody(text, response.header('content-type')),
      retryAfterMs: parseRetryAfter(response.header('retry-after')),
      url: safeUrl(),
    })
  }

  endOpenPhase()
  if (openFailure) {
    // Aborted or timed out in the instant the headers arrived.
    response.cancel()
    throw openFailure
  }
  return startStreaming(options, response, controller, safeUrl)
}

/** Runs an open connection: the read loop, the heartbeat watchdog and the ways it can end. */
function startStreaming(
  options: SseConnectOptions,
  response: SseResponse,
  controller: AbortController,
  safeUrl: () => string,
): SseConnection {
  const { signal } = options
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 0

  let ended = false
  let resolveClosed!: (reason: SseCloseReason) => void
  const closed = new Promise<SseCloseReason>((resolve) => {
    resolveClosed = resolve
  })

  // Set when one of the caller's callbacks threw, to tell that apart from a parser error.
  let callbackFailure: { error: unknown } | undefined
  const guard =
    <T>(callback: (value: T) => void) =>
    (value: T): void => {
      try {
        callback(value)
      } catch (error) {
        callbackFailure = { error }
        throw error
      }
    }
  const onBytes = options.onBytes ? guard(options.onBytes) : undefined
  const parser = createSseParser({
    onEvent: guard(options.onEvent),
    ...(options.onComment ? { onComment: guard(options.onComment) } : {}),
    ...(options.onRetry ? { onRetry: guard(options.onRetry) } : {}),
    ...(options.maxEventSize === undefined ? {} : { maxEventSize: options.maxEventSize }),
  })

  let heartbeatTimer: ReturnType<typeof setTimeout> | undefined
  let lastByteAt = performance.now()

  const finish = (reason: SseCloseReason): void => {
    if (ended) return
    ended = true
    if (heartbeatTimer !== undefined) clearTimeout(heartbeatTimer)
    heartbeatTimer = undefined
    signal?.removeEventListener('abort', onAbort)
    if (reason.kind !== 'end') {
      response.cancel()
      controller.abort(endedByClient())
    }
    resolveClosed(reason)
  }
  const onAbort = () => finish({ kind: 'closed' })

  // One timer for the whole connection: chunks only record the time, and the timer re-arms itself for
  // whatever is left of the window, so a busy stream costs no timer churn.
  const checkHeartbeat = (): void => {
    const idle = performance.now() - lastByteAt
    if (idle >= heartbeatTimeoutMs) {
      finish({
        kind: 'error',
        error: new ChainstreamError(
          'HeartbeatTimeout',
          `No data from ${safeUrl()} for ${Math.round(idle)} ms (heartbeatTimeoutMs is ${heartbeatTimeoutMs})`,
        ),
      })
      return
    }
    heartbeatTimer = setTimeout(checkHeartbeat, heartbeatTimeoutMs - idle)
  }

  const failure = (error: unknown): ChainstreamError => {
    if (callbackFailure) {
      return new ChainstreamError(
        'ConnectionClosed',
        `An SSE callback threw, so the connection to ${safeUrl()} was closed: ${describe(callbackFailure.error)}`,
        { cause: callbackFailure.error },
      )
    }
    // The parser's own errors (EventTooLarge) are already typed.
    if (isChainstreamError(error)) return error
    return new ChainstreamError(
      'ConnectionClosed',
      `The SSE connection to ${safeUrl()} broke: ${describe(error)}`,
      {
        cause: error,
      },
    )
  }

  const onChunk = (chunk: Uint8Array): void => {
    if (ended) return
    lastByteAt = performance.now()
    try {
      onBytes?.(chunk.length)
      parser.feed(chunk)
    } catch (error) {
      finish({ kind: 'error', error: failure(error) })
    }
  }

  if (heartbeatTimeoutMs > 0 && Number.isFinite(heartbeatTimeoutMs)) {
    heartbeatTimer = setTimeout(checkHeartbeat, heartbeatTimeoutMs)
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted) finish({ kind: 'closed' })
  // Reading starts on the next macrotask so the caller holds the connection before any callback runs.
  runtime.defer(() => {
    if (ended) return
    response.consume({
      chunk: onChunk,
      end: () => {
        if (ended) return
        parser.end()
        finish({ kind: 'end' })
      },
      error: (error) => {
        if (!ended) finish({ kind: 'error', error: failure(error) })
      },
    })
  })

  return {
    status: response.status,
    header: (name) => response.header(name),
    closed,
    close: () => finish({ kind: 'closed' }),
  }
}
