import type { Duplex } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import type { RecordedRequest } from '../request-record.js'
import { goJsonStringify } from './go-json.js'
import type { TonFlavour } from './routes.js'
import type { SendBufferLimits } from './send-buffer.js'
import { SessionBase } from './session.js'
import type { SubscribedListeners } from './subscribed-listeners.js'
import { emptySubscription } from './subscription.js'
import { handleWsMessage } from './ws-protocol.js'

/** Options of {@link WsSession}. */
export interface WsSessionInit {
  id: string
  flavour: TonFlavour
  key: string
  request: RecordedRequest
  /** The upgraded TCP socket under `ws`. */
  socket: Duplex
  /** From `X-Actions-Version`, else `latest`. */
  supportedActionTypes: readonly string[]
  /** Per subscription; ≤ 0 = unlimited. */
  maxAddresses: number
  sendBuffer: SendBufferLimits
  subscribed: SubscribedListeners
  onClose: (session: WsSession) => void
}

const ABNORMAL_CLOSURE = 1006

/** One WebSocket connection speaking the v2 operation protocol. */
export class WsSession extends SessionBase {
  readonly transport = 'ws' as const
  readonly #ws: WebSocket

  constructor(ws: WebSocket, init: WsSessionInit) {
    super({ ...init, transport: 'ws', state: emptySubscription(init.supportedActionTypes) })
    this.#ws = ws
    // Without an error listener a malformed client frame would crash the test process.
    ws.on('error', () => {})
    ws.on('message', (data) => this.#receive(data, init))
    // Protocol pings are answered by hand (the server runs with autoPong off) so they can be withheld.
    ws.on('ping', (data) => {
      if (this.answersPings && !this.silenced) ws.pong(data)
    })
    ws.once('close', (code) => {
      // 1006: the peer vanished without a close frame (or the simulator terminated it).
      this.endedCleanly = code !== ABNORMAL_CLOSURE
      this.markClosed()
      init.onClose(this)
    })
  }

  #receive(data: RawData, init: WsSessionInit): void {
    const text = rawToText(data)
    this.received.push(text)
    if (this.silenced) return
    const reply = handleWsMessage(text, this.state, init.maxAddresses)
    if (reply.operation === 'ping' && !this.answersPings) return
    const subscribed = reply.response.status === 'subscribed'
    if (subscribed && init.subscribed.any) this.corkUntilNextMacrotask()
    // Responses are written by the reading goroutine straight to the socket (server.go `writeWSMessage`),
    // not through the send buffers: they are never dropped.
    this.sent.push(reply.response)
    this.#send(goJsonStringify(reply.response))
    if (subscribed) init.subscribed.notify(this)
  }

  #send(json: string): void {
    if (this.writable()) this.#ws.send(json)
  }

  protected writable(): boolean {
    return this.#ws.readyState === this.#ws.OPEN
  }

  protected writeNotification(json: string): void {
    this.#ws.send(json)
  }

  drop(): void {
    this.droppedByServer ??= { linger: true }
    this.#ws.terminate()
  }
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
