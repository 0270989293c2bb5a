import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import type { RawData, WebSocket } from 'ws'

/** The upgrade request a connection came from. */
export interface WsServerRequest {
  /** Path and query, as sent (`/stream?api_key=…`). */
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/** How a server-side connection ended. */
export interface WsCloseInfo {
  readonly code: number
  readonly reason: string
}

interface Waiter {
  predicate: (message: string) => boolean
  resolve: (message: string) => void
  reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout>
}

const DEFAULT_WAIT_MS = 5_000

/**
 * The server side of one accepted WebSocket, scriptable from a test: it records every message, sends,
 * closes cleanly or abruptly, and can play a half-open peer ({@link WsServerConnection.goSilent}).
 */
export class WsServerConnection {
  /** The upgrade request. */
  readonly request: WsServerRequest
  /** Every message received, in order (binary frames decoded as UTF-8). */
  readonly messages: string[] = []
  /** Settles when the connection is gone, with the close code and reason the server saw. */
  readonly closed: Promise<WsCloseInfo>

  readonly #socket: WebSocket
  readonly #listeners = new Set<(message: string) => void>()
  readonly #onListenerError: (error: unknown) => void
  #waiters: Waiter[] = []
  // Index of the first message `nextMessage` has not yet looked past.
  #cursor = 0
  #silent = false
  #isClosed = false

  /** @internal Created by the server for each accepted upgrade. */
  constructor(socket: WebSocket, request: WsServerRequest, onListenerError: (error: unknown) => void) {
    this.#socket = socket
    this.request = request
    this.#onListenerError = onListenerError
    // Without an error listener a malformed client frame would crash the test process.
    socket.on('error', () => {})
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary))
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.#isClosed = true
        this.#settleWaiters(new Error('the WebSocket closed before a matching message arrived'))
        resolve({ code, reason: reason.toString('utf8') })
      })
    })
  }

  /** Whether the connection has closed. */
  get isClosed(): boolean {
    return this.#isClosed
  }

  /** Sends a text frame; objects are JSON-encoded, bytes go out as a binary frame. Ignored once closed or silent. */
  send(message: string | Uint8Array | object): void {
    if (this.#silent || this.#isClosed) return
    if (typeof message === 'string') this.#socket.send(message)
    else if (message instanceof Uint8Array) this.#socket.send(message, { binary: true })
    else this.#socket.send(JSON.stringify(message))
  }

  /**
   * Bytes sent but not yet handed to the operating system. A sender of many messages (a benchmark's
   * flood) waits for {@link WsServerConnection.drain} above a bound, so the server's memory stays bounded.
   */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount
  }

  /** Resolves once the socket's write buffer has drained (at once when it is empty), or the connection closed. */
  drain(): Promise<void> {
    const raw = (this.#socket as unknown as { _socket?: Socket })._socket
    if (this.#isClosed || !raw || !raw.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        raw.off('drain', done)
        raw.off('close', done)
        resolve()
      }
      raw.once('drain', done)
      raw.once('close', done)
    })
  }

  /**
   * Sends several text frames in ONE socket write (the TCP socket is corked around them), the way a busy
   * server's frames can reach a client together — e.g. a subscription acknowledgement and the first
   * notification behind it. Ignored once closed or silent.
   */
  sendTogether(messages: readonly (string | object)[]): void {
    if (this.#silent || this.#isClosed) return
    const socket = (this.#socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket
    socket?.cork()
    for (const message of messages) {
      this.#socket.send(typeof message === 'string' ? message : JSON.stringify(message))
    }
    socket?.uncork()
  }

  /**
   * Resolves with the next message matching `predicate`. Messages are consumed in order: the search
   * starts after the message the previous call returned, so one already received counts.
   */
  nextMessage(
    predicate: (message: string) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<string> {
    for (let i = this.#cursor; i < this.messages.length; i++) {
      const message = this.messages[i] as string
      if (predicate(message)) {
        this.#cursor = i + 1
        return Promise.resolve(message)
      }
    }
    this.#cursor = this.messages.length
    if (this.#isClosed) return Promise.reject(new Error('the WebSocket is closed'))
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter)
          reject(
            new Error(
              `no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.messages)}`,
            ),
          )
        }, timeoutMs),
      }
      this.#waiters.push(waiter)
    })
  }

  /** Calls `listener` for every later message (for scripted replies); returns the unsubscribe function. */
  onMessage(listener: (message: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Starts a clean closing handshake with `code` (default 1000). */
  close(code = 1000, reason = ''): void {
    this.#socket.close(code, reason)
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  terminate(): void {
    this.#socket.terminate()
  }

  /**
   * Plays a half-open peer: stops reading the socket and answering anything, while keeping the TCP
   * connection open. Neither application messages nor protocol pings get an answer from now on.
   */
  goSilent(): void {
    this.#silent = true
    this.#socket.pause()
  }

  #receive(data: RawData, isBinary: boolean): void {
    const message = isBinary ? rawToText(data) : data.toString()
    this.messages.push(message)
    if (this.#silent) return
    for (const waiter of this.#waiters) {
      if (!waiter.predicate(message)) continue
      this.#cursor = this.messages.length
      clearTimeout(waiter.timer)
      this.#waiters = this.#waiters.filter((w) => w !== waiter)
      waiter.resolve(message)
      break
    }
    for (const listener of this.#listeners) {
      try {
        listener(message)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }

  #settleWaiters(error: Error): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.#waiters = []
  }
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
