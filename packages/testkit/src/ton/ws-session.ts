import type { RawData, WebSocket } from 'ws'
import type { RecordedRequest } from '../request-record.js'
import { goJsonStringify } from './go-json.js'
import type { TonFlavour } from './routes.js'
import { SessionBase } from './session.js'
import { emptySubscription } from './subscription.js'
import { handleWsMessage } from './ws-protocol.js'

/** Options of {@link WsSession}. */
export interface WsSessionInit {
  id: string
  flavour: TonFlavour
  key: string
  request: RecordedRequest
  /** From `X-Actions-Version`, else `latest`. */
  supportedActionTypes: readonly string[]
  /** Per subscription; ≤ 0 = unlimited. */
  maxAddresses: number
  onClose: (session: WsSession, linger: boolean) => void
}

const ABNORMAL_CLOSURE = 1006

/** One WebSocket connection speaking the v2 operation protocol. */
export class WsSession extends SessionBase {
  readonly transport = 'ws' as const
  readonly #socket: WebSocket

  constructor(socket: WebSocket, init: WsSessionInit) {
    super(init.id, init.flavour, init.key, init.request, emptySubscription(init.supportedActionTypes))
    this.#socket = socket
    // Without an error listener a malformed client frame would crash the test process.
    socket.on('error', () => {})
    socket.on('message', (data) => this.#receive(data, init.maxAddresses))
    // Protocol pings are answered by hand (the server runs with autoPong off) so they can be withheld.
    socket.on('ping', (data) => {
      if (this.answersPings && !this.silenced) socket.pong(data)
    })
    socket.once('close', (code) => {
      this.markClosed()
      // A clean close handshake frees the slot at once; a vanished peer is held until the server notices.
      init.onClose(this, this.droppedByServer?.linger ?? code === ABNORMAL_CLOSURE)
    })
  }

  #receive(data: RawData, maxAddresses: number): void {
    const text = rawToText(data)
    this.received.push(text)
    if (this.silenced) return
    const reply = handleWsMessage(text, this.state, maxAddresses)
    if (reply.operation === 'ping' && !this.answersPings) return
    this.sent.push(reply.response)
    this.write(goJsonStringify(reply.response))
  }

  protected write(json: string): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(json)
  }

  drop(): void {
    this.droppedByServer ??= { linger: true }
    this.#socket.terminate()
  }
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
