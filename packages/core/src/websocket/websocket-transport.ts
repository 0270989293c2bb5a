import { abortError, ChainstreamError, toChainstreamError } from '../errors/chainstream-error.js'
import { httpError, parseBody, parseRetryAfter } from '../errors/http-error.js'
import { redactUrl } from '../errors/redact.js'
import * as runtime from '../runtime/runtime.js'
import type {
  WebSocketCloseReason,
  WebSocketConnection,
  WebSocketConnectOptions,
  WebSocketLike,
} from './websocket-types.js'

const DEFAULT_OPEN_TIMEOUT_MS = 30_000
const DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024
/** A refusal body is only read for the error report; more than this is never useful there. */
const MAX_REFUSAL_BODY_BYTES = 64 * 1024
/** `setTimeout` fires at once for larger delays; treat them as "no limit". */
const MAX_TIMER_MS = 2 ** 31 - 1
/** The WebSocket protocol caps a close reason at 123 bytes of UTF-8. */
const MAX_CLOSE_REASON_BYTES = 123

const utf8 = new TextDecoder()
const noop = () => {}

/** What `ws` adds to the WHATWG surface; used only when the instance has it. */
interface NodeWebSocketExtras {
  on?: (
    event: 'unexpected-response',
    listener: (request: unknown, response: UpgradeResponse) => void,
  ) => unknown
  terminate?: () => void
  binaryType?: string
}

/** The parts of Node's `IncomingMessage` read from a refused upgrade. */
interface UpgradeResponse {
  statusCode?: number
  headers: Record<string, string | string[] | undefined>
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown
  on(event: 'end' | 'close' | 'error', listener: () => void): unknown
}

/** How to let go of the socket when the connection ends. */
type Disposal = { how: 'none' } | { how: 'terminate' } | { how: 'close'; code: number; reason?: string }

/**
 * Opens a WebSocket and returns at once; `opened` settles when the upgrade completes or fails, `closed`
 * when the connection is gone (it never rejects).
 *
 * Built on the runtime's WebSocket (`ws` on Node, the global one elsewhere) unless `options.WebSocket`
 * supplies another constructor, of which only the WHATWG `on…`
 * handler properties are used. With `ws` (or any instance that has `.on`), a refused upgrade is reported
 * with its HTTP status, body and `Retry-After`; other implementations do not expose the status, so a
 * refusal there is a retryable `ConnectionClosed`.
 *
 * `closed` settles as soon as the connection is unusable; a clean closing handshake may still finish in
 * the background. Every timer is cleared by then.
 *
 * @throws {ChainstreamError} `InvalidArgument` for invalid options (before anything is opened).
 */
export function openWebSocket(options: WebSocketConnectOptions): WebSocketConnection {
  validate(options)
  const where = redactUrl(options.url)
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS
  const { keepalive, signal, onBytes } = options

  let state: 'connecting' | 'open' | 'done' = 'connecting'
  let socket: WebSocketLike | undefined
  const queue: string[] = []
  // One timeout slot serves the open timeout and later the pong timeout: they are never armed together.
  let timeout: ReturnType<typeof setTimeout> | undefined
  let interval: ReturnType<typeof setInterval> | undefined
  let pingOutstanding = false
  let refusal: { status: number; retryAfterMs: number | undefined } | undefined
  let stopListeningForAbort = noop

  let resolveOpened = noop
  let rejectOpened: (error: ChainstreamError) => void = noop
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve
    rejectOpened = reject
  })
  // A caller that only awaits `closed` must not get an unhandled rejection; awaiting `opened` still throws.
  opened.catch(noop)
  let resolveClosed: (reason: WebSocketCloseReason) => void = noop
  const closed = new Promise<WebSocketCloseReason>((resolve) => {
    resolveClosed = resolve
  })

  /** Ends the connection once; `openError` is what `opened` rejects with when it was not open yet. */
  const end = (reason: WebSocketCloseReason, openError: ChainstreamError, disposal: Disposal): void => {
    if (state === 'done') return
    const wasOpen = state === 'open'
    state = 'done'
    clearTimeout(timeout)
    clearInterval(interval)
    timeout = undefined
    interval = undefined
    queue.length = 0
    stopListeningForAbort()
    if (socket) release(socket, disposal)
    if (!wasOpen) rejectOpened(openError)
    resolveClosed(reason)
  }

  const fail = (error: ChainstreamError, disposal: Disposal = { how: 'terminate' }): void =>
    end({ kind: 'error', error }, error, disposal)

  /** Sends on the open socket; a throwing implementation ends the connection and the error is returned. */
  const rawSend = (data: string): ChainstreamError | undefined => {
    try {
      socket?.send(data)
      return undefined
    } catch (cause) {
      const error = new ChainstreamError('ConnectionClosed', `Could not send on the WebSocket to ${where}`, {
        cause,
        isRetryable: true,
      })
      fail(error)
      return error
    }
  }

  let outstandingPing = ''
  /** A message arrived since the outstanding ping was sent (or its wait last renewed). */
  let heardSincePing = false
  const pongTimedOut = (): void => {
    if (!keepalive) return
    if (heardSincePing) {
      // The answer waits behind what the server sent before it, and the socket is evidently alive: a
      // reader catching up on a burst must not take its own backlog for a dead connection.
      heardSincePing = false
      timeout = setTimeout(pongTimedOut, keepalive.timeoutMs)
      return
    }
    fail(
      new ChainstreamError(
        'PongTimeout',
        `No answer to the keepalive ping, and no other message, within ${keepalive.timeoutMs} ms; the WebSocket to ${where} is presumed dead`,
      ),
    )
  }
  // One ping at a time: while one is outstanding its timeout decides, and ticks are skipped.
  const sendPing = (): void => {
    if (!keepalive || state !== 'open' || pingOutstanding) return
    let ping: string
    try {
      ping = keepalive.ping()
    } catch (error) {
      fail(toChainstreamError(error, 'ProtocolError'))
      return
    }
    pingOutstanding = true
    outstandingPing = ping
    heardSincePing = false
    timeout = setTimeout(pongTimedOut, keepalive.timeoutMs)
    rawSend(ping)
  }

  /** Decides whether this message answers the outstanding ping; a throwing `isPong` means "no". */
  const checkPong = (text: string): void => {
    if (!keepalive || !pingOutstanding) return
    let isPong = false
    try {
      isPong = keepalive.isPong(text, outstandingPing)
    } catch {
      isPong = false
    }
    if (!isPong) return
    pingOutstanding = false
    clearTimeout(timeout)
    timeout = undefined
  }

  const handleOpen = (): void => {
    if (state !== 'connecting') return
    state = 'open'
    clearTimeout(timeout)
    timeout = undefined
    for (const data of queue.splice(0)) {
      if (rawSend(data)) return
    }
    if (keepalive) interval = setInterval(sendPing, keepalive.intervalMs)
    resolveOpened()
  }

  const handleMessage = (event: { data: unknown }): void => {
    if (state !== 'open') return
    const text = readMessage(event.data, maxMessageSize, where, onBytes)
    if (typeof text !== 'string') {
      fail(text)
      return
    }
    heardSincePing = true
    checkPong(text)
    try {
      options.onMessage(text)
    } catch (error) {
      fail(toChainstreamError(error, 'ProtocolError'))
    }
  }

  const handleError = (event: unknown): void => {
    if (state === 'done') return
    // A refusal whose body could not be read is still best reported by its status.
    if (refusal) fail(httpError({ ...refusal, body: undefined, url: where }))
    else fail(networkError(event, where, maxMessageSize))
  }

  // `ConnectionClosed` is retryable by default: a provider that knows a close code is fatal re-classifies it.
  const handleClose = (event: { code: number; reason: string }): void => {
    if (state === 'done') return
    const { code, reason } = event
    const said = `with code ${code}${reason ? ` (${reason})` : ''}`
    if (state === 'connecting') {
      const error = new ChainstreamError(
        'ConnectionClosed',
        `WebSocket closed ${said} before it opened — ${where}`,
      )
      end({ kind: 'error', error, code, reason }, error, { how: 'none' })
      return
    }
    const error = new ChainstreamError(
      'ConnectionClosed',
      `WebSocket closed by the server ${said} — ${where}`,
    )
    end({ kind: 'closed-by-server', code, reason, error }, error, { how: 'none' })
  }

  /** `ws` reports a refused upgrade here (status, headers, body); the body is read for the error report. */
  const handleRefusal = (response: UpgradeResponse): void => {
    if (state !== 'connecting' || refusal) return
    const header = (name: string) => {
      const value = response.headers[name]
      return Array.isArray(value) ? value[0] : value
    }
    const found = { status: response.statusCode ?? 0, retryAfterMs: parseRetryAfter(header('retry-after')) }
    refusal = found
    const chunks: Uint8Array[] = []
    let size = 0
    response.on('data', (chunk) => {
      if (size >= MAX_REFUSAL_BODY_BYTES) return
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
      chunks.push(bytes)
      size += bytes.byteLength
    })
    const done = () => {
      const text = utf8.decode(concat(chunks)).slice(0, MAX_REFUSAL_BODY_BYTES)
      fail(httpError({ ...found, body: parseBody(text, header('content-type')), url: where }))
    }
    response.on('end', done)
    response.on('close', done)
    response.on('error', done)
  }

  const connection: WebSocketConnection = {
    opened,
    closed,
    send(data: string): void {
      if (state === 'done') {
        throw new ChainstreamError('Closed', `send() on a closed WebSocket connection (${where})`)
      }
      if (state === 'connecting') {
        queue.push(data)
        return
      }
      const error = rawSend(data)
      if (error) throw error
    },
    close(code = 1000, reason?: string): void {
      validateClose(code, reason)
      if (state === 'done') return
      const error = new ChainstreamError('Closed', `The WebSocket to ${where} was closed before it opened`)
      end(
        { kind: 'closed' },
        error,
        reason === undefined ? { how: 'close', code } : { how: 'close', code, reason },
      )
    },
  }

  if (signal?.aborted) {
    end({ kind: 'closed' }, abortError(signal, 'opening the WebSocket'), { how: 'none' })
    return connection
  }

  try {
    socket = construct(options, maxMessageSize)
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause)
    fail(
      new ChainstreamError('InvalidArgument', `Cannot open a WebSocket to ${where}: ${message}`, { cause }),
    )
    return connection
  }
  socket.onopen = handleOpen
  socket.onmessage = handleMessage
  socket.onerror = handleError
  socket.onclose = handleClose
  const extras = socket as unknown as NodeWebSocketExtras
  if (typeof extras.on === 'function') {
    extras.on('unexpected-response', (_request, response) => handleRefusal(response))
  }

  if (openTimeoutMs > 0 && openTimeoutMs < MAX_TIMER_MS) {
    const message = `The WebSocket to ${where} did not open within ${openTimeoutMs} ms`
    timeout = setTimeout(() => {
      // The status is known even if the refusal body is still trickling in; it says more than a timeout.
      if (refusal) fail(httpError({ ...refusal, body: undefined, url: where }))
      else fail(new ChainstreamError('OpenTimeout', message))
    }, openTimeoutMs)
  }

  if (signal) {
    const onAbort = () => {
      end({ kind: 'closed' }, abortError(signal, 'opening the WebSocket'), { how: 'close', code: 1000 })
    }
    signal.addEventListener('abort', onAbort, { once: true })
    stopListeningForAbort = () => signal.removeEventListener('abort', onAbort)
  }
  return connection
}

/**
 * Opens a WebSocket and waits until it is usable.
 *
 * @throws {ChainstreamError} what {@link WebSocketConnection.opened} rejects with (`OpenTimeout`, `Aborted`,
 *   `ConnectionClosed`, `Unauthorized`, `RateLimited`, …).
 */
export async function connectWebSocket(options: WebSocketConnectOptions): Promise<WebSocketConnection> {
  const connection = openWebSocket(options)
  await connection.opened
  return connection
}

function construct(options: WebSocketConnectOptions, maxMessageSize: number): WebSocketLike {
  const headers = options.headers ?? {}
  if (!options.WebSocket) {
    // `ws` on Node (whose `maxPayload` refuses an oversized frame before buffering it), the global one elsewhere.
    return runtime.createWebSocket(options.url, options.protocols, headers, maxMessageSize)
  }
  const socket = new options.WebSocket(options.url, options.protocols, { headers })
  // Browsers default to Blob, which can only be read asynchronously and would reorder messages.
  try {
    ;(socket as unknown as NodeWebSocketExtras).binaryType = 'arraybuffer'
  } catch {
    // An implementation without a settable binaryType delivers something toBytes understands, or fails loudly.
  }
  return socket
}

/** Lets go of the socket: later events must not reach the caller, and `ws` must always have an error listener. */
function release(socket: WebSocketLike, disposal: Disposal): void {
  socket.onopen = noop
  socket.onmessage = noop
  socket.onerror = noop
  socket.onclose = noop
  try {
    if (disposal.how === 'close') socket.close(disposal.code, disposal.reason)
    else if (disposal.how === 'terminate') {
      // A half-open peer never answers a closing handshake: drop the TCP connection when we can.
      const { terminate } = socket as unknown as NodeWebSocketExtras
      if (typeof terminate === 'function') terminate.call(socket)
      else socket.close()
    }
  } catch {
    // Closing an already closing socket may throw in some implementations; it is going away either way.
  }
}

function networkError(event: unknown, where: string, maxMessageSize: number): ChainstreamError {
  const wrapped = (event as { error?: unknown } | null)?.error
  const cause = wrapped ?? event
  if ((cause as { code?: unknown } | null)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return new ChainstreamError(
      'EventTooLarge',
      `A WebSocket message from ${where} exceeded maxMessageSize (${maxMessageSize} bytes)`,
      { cause },
    )
  }
  const detail =
    cause instanceof Error ? cause.message : (event as { message?: unknown } | null)?.message?.toString()
  const message = `WebSocket to ${where} failed${detail ? `: ${detail}` : ''}`
  return new ChainstreamError('ConnectionClosed', message, { cause, isRetryable: true })
}

/** The message as text, counted and size-checked; an error when it is too large or of an unknown type. */
function readMessage(
  data: unknown,
  maxMessageSize: number,
  where: string,
  onBytes: ((count: number) => void) | undefined,
): string | ChainstreamError {
  if (typeof data === 'string') {
    if (onBytes) onBytes(utf8ByteLength(data))
    return data.length > maxMessageSize ? tooLarge(`${data.length} characters`, maxMessageSize, where) : data
  }
  const bytes = toBytes(data)
  if (!bytes) return new ChainstreamError('ProtocolError', `Unsupported WebSocket message type from ${where}`)
  if (onBytes) onBytes(bytes.byteLength)
  return bytes.byteLength > maxMessageSize
    ? tooLarge(`${bytes.byteLength} bytes`, maxMessageSize, where)
    : utf8.decode(bytes)
}

function tooLarge(size: string, max: number, where: string): ChainstreamError {
  return new ChainstreamError(
    'EventTooLarge',
    `A WebSocket message of ${size} from ${where} exceeds maxMessageSize (${max})`,
  )
}

/** Binary message payloads as bytes: `ArrayBuffer`, any view (`ws`'s `Buffer`), or `ws`'s fragment list. */
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) return concat(data)
  return undefined
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

// Node's native count when there is one: this runs for every message, and a JS loop over every character
// showed up in profiles of high-rate streams.
const nativeByteLength = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } })
  .Buffer

/** UTF-8 size of a string without encoding it (natively in Node; counted by hand where `Buffer` is absent). */
function utf8ByteLength(text: string): number {
  if (nativeByteLength) return nativeByteLength.byteLength(text, 'utf8')
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

function validate(options: WebSocketConnectOptions): void {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new ChainstreamError('InvalidArgument', message)
  }
  const { openTimeoutMs, maxMessageSize, keepalive } = options
  // Written as positive checks so that NaN fails them too.
  if (openTimeoutMs !== undefined) check(openTimeoutMs >= 0, 'openTimeoutMs must be ≥ 0 (0 disables it)')
  if (maxMessageSize !== undefined) check(maxMessageSize > 0, 'maxMessageSize must be > 0')
  if (keepalive) {
    const range = `between 1 and ${MAX_TIMER_MS} ms`
    check(
      keepalive.intervalMs > 0 && keepalive.intervalMs < MAX_TIMER_MS,
      `keepalive.intervalMs must be ${range}`,
    )
    check(
      keepalive.timeoutMs > 0 && keepalive.timeoutMs < MAX_TIMER_MS,
      `keepalive.timeoutMs must be ${range}`,
    )
  }
}

function validateClose(code: number, reason: string | undefined): void {
  // The only codes an application may send (RFC 6455 §7.4; the WHATWG close() enforces the same).
  if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    throw new ChainstreamError('InvalidArgument', `close() code must be 1000 or 3000–4999, got ${code}`)
  }
  if (reason !== undefined && utf8ByteLength(reason) > MAX_CLOSE_REASON_BYTES) {
    const message = `close() reason must be at most ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`
    throw new ChainstreamError('InvalidArgument', message)
  }
}
