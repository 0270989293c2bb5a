import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RecordedRequest } from '../request-record.js'
import { formatSseEvent } from '../sse-format.js'
import { goJsonStringify } from './go-json.js'
import type { TonFlavour } from './routes.js'
import type { SendBufferLimits } from './send-buffer.js'
import { SessionBase } from './session.js'
import type { SubscriptionState } from './subscription.js'

/** The comment the server writes between events, framed exactly as on the wire. */
export const SSE_KEEPALIVE = ': keepalive\n\n'

/** Options of {@link SseSession}. */
export interface SseSessionInit {
  id: string
  flavour: TonFlavour
  key: string
  request: RecordedRequest
  state: SubscriptionState
  /** Echoed in the `connected` frame. */
  requestId: string | undefined
  /** `0` sends none. */
  keepaliveMs: number
  sendBuffer: SendBufferLimits
  /** Hold the socket until the next macrotask once the `connected` frame is written (see `onSubscribed`). */
  cork: boolean
  /** Called once when the connection is gone. */
  onClose: (session: SseSession) => void
}

/** One SSE subscription: `connected` first, then `event` frames and keepalive comments. */
export class SseSession extends SessionBase {
  readonly transport = 'sse' as const
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #keepalive: ReturnType<typeof setInterval> | undefined
  #keepalivePending = false

  constructor(req: IncomingMessage, res: ServerResponse, init: SseSessionInit) {
    super({ ...init, transport: 'sse', socket: req.socket })
    this.#req = req
    this.#res = res
    // A write racing the client's disconnect must not surface as an unhandled 'error' event.
    res.on('error', () => {})
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    if (init.cork) this.corkUntilNextMacrotask()
    // The stream writer writes the acknowledgement itself, before reading its channel: never dropped.
    const ack =
      init.requestId === undefined ? { status: 'subscribed' } : { id: init.requestId, status: 'subscribed' }
    this.sent.push(ack)
    this.#res.write(formatSseEvent({ event: 'connected', data: goJsonStringify(ack) }))
    this.#keepalive = init.keepaliveMs > 0 ? setInterval(() => this.keepalive(), init.keepaliveMs) : undefined
    // The real server only notices a gone SSE client when a later write fails (see the linger).
    req.socket.once('close', () => {
      clearInterval(this.#keepalive)
      this.markClosed()
      init.onClose(this)
    })
  }

  /** Writes a keepalive comment now (unless silenced); behind a blocked socket, once it drains. */
  keepalive(): void {
    if (this.silenced || this.isClosed) return
    if (this.buffer.blocked) this.#keepalivePending = true
    else this.#res.write(SSE_KEEPALIVE)
  }

  // The server's writer takes one pending keepalive tick (its ticker channel holds one) after a blocked write.
  protected override onWritable(): void {
    if (!this.#keepalivePending) return
    this.#keepalivePending = false
    this.keepalive()
  }

  protected writable(): boolean {
    return !this.#res.destroyed
  }

  protected writeNotification(json: string): void {
    this.#res.write(formatSseEvent({ event: 'event', data: json }))
  }

  drop(): void {
    this.droppedByServer ??= { linger: true }
    this.#req.socket.destroy()
  }
}
