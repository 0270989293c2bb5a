import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RecordedRequest } from '../request-record.js'
import { formatSseEvent } from '../sse-format.js'
import { goJsonStringify } from './go-json.js'
import type { TonFlavour } from './routes.js'
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
  keepaliveMs: number
  /** Called once when the connection is gone, with whether the session should linger. */
  onClose: (session: SseSession, linger: boolean) => void
}

/** One SSE subscription: `connected` first, then `event` frames and keepalive comments. */
export class SseSession extends SessionBase {
  readonly transport = 'sse' as const
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #keepalive: ReturnType<typeof setInterval>

  constructor(req: IncomingMessage, res: ServerResponse, init: SseSessionInit) {
    super(init.id, init.flavour, init.key, init.request, init.state)
    this.#req = req
    this.#res = res
    // A write racing the client's disconnect must not surface as an unhandled 'error' event.
    res.on('error', () => {})
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    const ack =
      init.requestId === undefined ? { status: 'subscribed' } : { id: init.requestId, status: 'subscribed' }
    this.sent.push(ack)
    this.write(goJsonStringify(ack), 'reply')
    this.#keepalive = setInterval(() => this.keepalive(), init.keepaliveMs)
    // Every SSE session lingers: the real server only notices a gone client when a later write fails.
    req.socket.once('close', () => {
      clearInterval(this.#keepalive)
      this.markClosed()
      init.onClose(this, this.droppedByServer?.linger ?? true)
    })
  }

  /** Writes a keepalive comment now (unless silenced). */
  keepalive(): void {
    if (this.silenced || this.isClosed) return
    this.#res.write(SSE_KEEPALIVE)
  }

  protected write(json: string, kind: 'event' | 'reply'): void {
    if (this.#res.destroyed) return
    this.#res.write(formatSseEvent({ event: kind === 'reply' ? 'connected' : 'event', data: json }))
  }

  drop(): void {
    this.droppedByServer ??= { linger: true }
    this.#req.socket.destroy()
  }
}
