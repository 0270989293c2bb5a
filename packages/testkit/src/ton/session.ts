import type { Duplex } from 'node:stream'
import type { RecordedRequest } from '../request-record.js'
import { goJsonStringify } from './go-json.js'
import {
  identify,
  type TonDroppedNotification,
  type TonDropReason,
  type TonNotificationIdentity,
} from './notification-identity.js'
import type { TonFlavour } from './routes.js'
import { type OutgoingFrame, SendBuffer, type SendBufferLimits } from './send-buffer.js'
import { type SubscriptionState, type TonSubscriptionView, viewSubscription } from './subscription.js'

/** One accepted streaming connection, as tests see it. */
export interface TonSession {
  /** `sse-1`, `ws-2`, … in acceptance order. */
  readonly id: string
  readonly transport: 'sse' | 'ws'
  readonly flavour: TonFlavour
  /** The API key it authenticated with. */
  readonly key: string
  /** The HTTP request (the SSE POST with its body, or the WebSocket upgrade). */
  readonly request: RecordedRequest
  /** Its current subscription (a WebSocket starts with an empty one). */
  readonly subscription: TonSubscriptionView
  /** Traces this connection would be told about if they were invalidated now. */
  readonly invalidationCandidates: readonly string[]
  /**
   * Every JSON object written to its socket (acknowledgements, responses, notifications), in order. A
   * notification is added when it leaves the server's send buffers, not when it is published.
   */
  readonly sent: readonly unknown[]
  /**
   * The notifications of {@link TonSession.sent}, as identities (ledger `seq`, type, trace, finality), in
   * order. Written is not received: bytes in the socket are lost if the connection dies.
   */
  readonly written: readonly TonNotificationIdentity[]
  /**
   * Notifications routed to this session that never reached its socket, in order, with the reason: full
   * send buffers (a slow reader), a silenced session, or still queued when it closed. API v3 is unaffected.
   */
  readonly dropped: readonly TonDroppedNotification[]
  /** Notifications waiting in the server's send buffers for the socket to take them. */
  readonly queued: number
  /** WebSocket only: every text received. */
  readonly received: readonly string[]
  readonly silenced: boolean
  /** WebSocket only: whether `ping` operations and protocol pings are answered. */
  readonly answersPings: boolean
  readonly isClosed: boolean
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>
  /** Drops it abruptly (counts as a drop for the linger). */
  drop(): void
}

/** What {@link SessionBase} is built from. */
export interface SessionInit {
  id: string
  transport: 'sse' | 'ws'
  flavour: TonFlavour
  key: string
  request: RecordedRequest
  state: SubscriptionState
  /** The TCP socket under the HTTP response or the WebSocket. */
  socket: Duplex
  sendBuffer: SendBufferLimits
}

/** What the simulator needs from either transport. */
export abstract class SessionBase implements TonSession {
  readonly id: string
  readonly flavour: TonFlavour
  readonly key: string
  readonly request: RecordedRequest
  abstract readonly transport: 'sse' | 'ws'
  state: SubscriptionState
  readonly remembered = new Set<string>()
  readonly sent: unknown[] = []
  readonly written: TonNotificationIdentity[] = []
  readonly dropped: TonDroppedNotification[] = []
  readonly received: string[] = []
  silenced = false
  answersPings = true
  /** Set when the simulator drops the session, to decide about the linger. */
  droppedByServer: { linger: boolean } | undefined
  /** Whether the peer ended it with a close handshake (a WebSocket close frame). */
  endedCleanly = false
  readonly closed: Promise<void>
  protected readonly buffer: SendBuffer
  readonly #socket: Duplex
  #isClosed = false
  #resolveClosed!: () => void

  constructor(init: SessionInit) {
    this.id = init.id
    this.flavour = init.flavour
    this.key = init.key
    this.request = init.request
    this.state = init.state
    this.#socket = init.socket
    this.buffer = new SendBuffer({
      transport: init.transport,
      limits: init.sendBuffer,
      socket: init.socket,
      write: (frame) => this.#write(frame),
      serialize: (frame) => goJsonStringify(frame.message),
      drop: (frame, reason) => this.#drop(frame, reason),
      onWritable: () => this.onWritable(),
    })
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  get subscription(): TonSubscriptionView {
    return viewSubscription(this.state)
  }

  get invalidationCandidates(): readonly string[] {
    return [...this.remembered]
  }

  get queued(): number {
    return this.buffer.queued
  }

  get isClosed(): boolean {
    return this.#isClosed
  }

  /** Routes a notification (the per-connection form of ledger event `seq`) into the send buffers. */
  deliver(message: Record<string, unknown>, seq: number): void {
    if (this.#isClosed) return
    const frame = { message, identity: identify(seq, message) }
    if (this.silenced) this.#drop(frame, 'silenced')
    else this.buffer.push(frame)
  }

  /**
   * Holds everything written to the socket until the next macrotask, so what is sent in this synchronous
   * run (an acknowledgement and the notifications after it) leaves in one write.
   */
  corkUntilNextMacrotask(): void {
    const socket = this.#socket
    if (socket.destroyed) return
    socket.cork()
    setImmediate(() => socket.uncork())
  }

  /** Marks the session closed (once); whatever was still queued is lost. */
  protected markClosed(): void {
    if (this.#isClosed) return
    this.#isClosed = true
    for (const frame of this.buffer.stop()) this.#drop(frame, 'closed')
    this.#resolveClosed()
  }

  #write(frame: OutgoingFrame): void {
    if (!this.writable()) {
      this.#drop(frame, 'closed')
      return
    }
    this.sent.push(frame.message)
    this.written.push(frame.identity)
    this.writeNotification(frame.json ?? goJsonStringify(frame.message))
  }

  #drop(frame: OutgoingFrame, reason: TonDropReason): void {
    this.dropped.push({ ...frame.identity, reason })
  }

  /** Called when a blocked socket has drained, before the queued notifications are written. */
  protected onWritable(): void {}
  /** Whether the socket still takes writes. */
  protected abstract writable(): boolean
  /** Writes one serialised notification (the SSE `event` frame, or a WebSocket text). */
  protected abstract writeNotification(json: string): void
  abstract drop(): void
  /**
   * Stops writing and answering; the socket stays open. It is not paused either: a client that gives up and
   * closes it still ends the session (which then lingers like any drop). Queued notifications are lost.
   */
  silence(): void {
    this.silenced = true
    for (const frame of this.buffer.stop()) this.#drop(frame, 'silenced')
  }
}
