import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { RecordedRequest } from './request-record.js'
import { formatSseEvent, type SseEventInit } from './sse-format.js'

/** Options of {@link SseServerConnection.send}. */
export interface SendOptions {
  /**
   * Byte offsets at which to cut the payload into separate writes (a CRLF pair or a UTF-8 character
   * may be cut too). Each write is flushed to the socket before the next one starts.
   */
  splitAt?: readonly number[]
  /** Milliseconds between the split writes. @default 0 (one event-loop turn) */
  gapMs?: number
}

/**
 * One request to the test server, scripted by a handler. Operations are ordered: one called while a
 * split `send` is still writing runs after it (except `drop`, which is immediate, and `pause`). Writing after the
 * socket closed is a silent no-op, so handlers need not guard against a client that went away.
 */
export interface SseServerConnection {
  /** The recorded request (its body was read fully before the handler ran). */
  readonly request: RecordedRequest
  /** Answers with a plain HTTP response: a string is sent as text, bytes as is, anything else as JSON. */
  respond(status: number, body?: unknown, headers?: OutgoingHttpHeaders): Promise<void>
  /** Sends `200` with `text/event-stream` and `no-cache`, and flushes the headers at once. */
  open(headers?: OutgoingHttpHeaders): void
  /**
   * Writes raw text or bytes to the response body. Returns what `Writable.write` returns: `false` when
   * the socket's buffer is full (or the write had to wait behind a split send, or the socket closed) —
   * a fast writer then awaits {@link SseServerConnection.drain}.
   */
  send(payload: string | Uint8Array): boolean
  /** Writes raw text or bytes in several writes (see {@link SendOptions}); resolves once all are written. */
  send(payload: string | Uint8Array, options: SendOptions): Promise<void>
  /** Writes one formatted event (a `data` with line breaks becomes several `data:` lines). */
  event(init: SseEventInit): boolean
  /** Writes one formatted event in several writes. */
  event(init: SseEventInit, options: SendOptions): Promise<void>
  /** Writes a comment line, `:` + text + LF. */
  comment(text: string): boolean
  /** Waits `ms` milliseconds, or less when the connection closes first. */
  pause(ms: number): Promise<void>
  /** Destroys the socket abruptly (mid-event if a partial event was sent). */
  drop(): void
  /** Ends the response cleanly. */
  end(): Promise<void>
  /** Resolves when the socket closed, whichever side closed it. */
  readonly closed: Promise<void>
  /** Whether the socket has closed. */
  readonly isClosed: boolean
  /**
   * Resolves when every write so far has been handed to the socket and its buffer has room again (at
   * once when it already has), or when the socket closed.
   */
  drain(): Promise<void>
}

const noop = () => {}

// Our defaults are lower-case; a caller's `Content-Type` must replace them, not be sent alongside.
const lowerCaseKeys = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

/** Builds the scripted connection around one request/response pair. */
export function createSseServerConnection(
  req: IncomingMessage,
  res: ServerResponse,
  request: RecordedRequest,
): SseServerConnection {
  const socket = req.socket
  let isClosed = socket.destroyed
  // Pauses and drains waiting for the socket; released on close. A set, not `closed.then` per call, so a
  // long-lived connection that pauses per event does not pile up callbacks.
  const waiters = new Set<() => void>()
  const closed = new Promise<void>((resolve) => {
    if (isClosed) resolve()
    else
      socket.once('close', () => {
        isClosed = true
        for (const wake of waiters) wake()
        waiters.clear()
        resolve()
      })
  })
  // `drop()` destroys at once but 'close' comes a tick later; writes in between must be no-ops too.
  const gone = () => isClosed || socket.destroyed
  // A write racing the client's disconnect must not surface as an unhandled 'error' event.
  res.on('error', noop)

  // Serialises operations behind an in-flight split send, without delaying anything when idle.
  let busy = 0
  let tail: Promise<void> = Promise.resolve()
  const ordered = (op: () => undefined | Promise<void>): Promise<void> => {
    if (busy === 0) {
      const result = op()
      return result === undefined ? Promise.resolve() : track(result)
    }
    return track(tail.then(op))
  }
  const track = (operation: Promise<void>): Promise<void> => {
    busy++
    const done = operation.finally(() => {
      busy--
    })
    tail = done.catch(noop)
    return done
  }

  const writeNow = (bytes: string | Uint8Array): Promise<void> =>
    new Promise((resolve) => {
      if (gone() || res.destroyed) return resolve()
      res.write(bytes, () => resolve())
    })

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (isClosed) return resolve()
      const wake = () => {
        clearTimeout(timer)
        waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      waiters.add(wake)
    })

  const drained = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (gone() || !res.writableNeedDrain) return resolve()
      const wake = () => {
        res.off('drain', wake)
        waiters.delete(wake)
        resolve()
      }
      res.once('drain', wake)
      waiters.add(wake)
    })

  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

  const splitWrite = async (bytes: Uint8Array, offsets: readonly number[], gapMs: number): Promise<void> => {
    const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b)
    let start = 0
    for (const cut of [...cuts, bytes.length]) {
      await writeNow(bytes.subarray(start, cut))
      start = cut
      if (cut < bytes.length) await (gapMs > 0 ? pause(gapMs) : nextTurn())
    }
  }

  const sendSplit = (payload: string | Uint8Array, options: SendOptions): Promise<void> =>
    ordered(() => {
      if (gone()) return undefined
      const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
      return splitWrite(bytes, options.splitAt ?? [], options.gapMs ?? 0)
    })

  const sendNow = (payload: string | Uint8Array): boolean => {
    if (busy > 0) {
      void ordered(() => {
        if (!gone()) res.write(payload)
        return undefined
      })
      return false
    }
    if (gone()) return false
    return res.write(payload)
  }

  function send(payload: string | Uint8Array): boolean
  function send(payload: string | Uint8Array, options: SendOptions): Promise<void>
  function send(payload: string | Uint8Array, options?: SendOptions): boolean | Promise<void> {
    return options === undefined ? sendNow(payload) : sendSplit(payload, options)
  }

  function event(init: SseEventInit): boolean
  function event(init: SseEventInit, options: SendOptions): Promise<void>
  function event(init: SseEventInit, options?: SendOptions): boolean | Promise<void> {
    const text = formatSseEvent(init)
    return options === undefined ? sendNow(text) : sendSplit(text, options)
  }

  return {
    request,
    respond: (status, body, headers = {}) =>
      ordered(() => {
        if (gone()) return undefined
        let payload: string | Uint8Array
        let contentType: string
        if (body === undefined) {
          payload = ''
          contentType = 'text/plain; charset=utf-8'
        } else if (typeof body === 'string') {
          payload = body
          contentType = 'text/plain; charset=utf-8'
        } else if (body instanceof Uint8Array) {
          payload = body
          contentType = 'application/octet-stream'
        } else {
          payload = JSON.stringify(body)
          contentType = 'application/json'
        }
        res.writeHead(status, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(payload),
          ...lowerCaseKeys(headers),
        })
        res.end(payload)
        return undefined
      }),
    open: (headers = {}) => {
      void ordered(() => {
        if (gone()) return undefined
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          ...lowerCaseKeys(headers),
        })
        res.flushHeaders()
        return undefined
      })
    },
    send,
    event,
    comment: (text) => sendNow(`:${text}\n`),
    pause,
    drop: () => {
      socket.destroy()
    },
    end: () =>
      ordered(() => {
        if (!gone()) res.end()
        return undefined
      }),
    closed,
    get isClosed() {
      return gone()
    },
    drain: () => ordered(() => drained()),
  }
}
