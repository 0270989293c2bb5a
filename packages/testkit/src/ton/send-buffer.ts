import type { Duplex } from 'node:stream'
import type { TonDropReason, TonNotificationIdentity } from './notification-identity.js'

/**
 * Sizes of the real server's send buffers, in frames. `Infinity` = unbounded (nothing is ever dropped);
 * `0` = no buffer, as an unbuffered Go channel: a frame gets through only when the writer is free.
 */
export interface TonSendBufferOptions {
  /** SSE: the stream writer's channel (`eventCh`, 16 in server.go). @default 16 */
  perConnection?: number
  /**
   * The manager's channel per client (`sendChan`, 64 in server.go). It fills only for WebSocket: for SSE the
   * server hands every frame straight on to the per-connection channel. @default 64
   */
  perClient?: number
}

/** Resolved {@link TonSendBufferOptions}. */
export interface SendBufferLimits {
  readonly perConnection: number
  readonly perClient: number
}

/** The sizes in `ton-streaming-go/v2/server.go` (toncenter/ton-indexer). */
export const DEFAULT_SEND_BUFFER: SendBufferLimits = { perConnection: 16, perClient: 64 }

/** Fills in the defaults and checks the sizes. */
export function resolveSendBuffer(options: TonSendBufferOptions = {}): SendBufferLimits {
  const limits = { ...DEFAULT_SEND_BUFFER, ...options }
  for (const [name, value] of Object.entries(limits)) {
    if (!(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 0))) {
      throw new TypeError(`sendBuffer.${name} must be a non-negative integer or Infinity, got ${value}`)
    }
  }
  return limits
}

/** One notification on its way to a connection. */
export interface OutgoingFrame {
  readonly message: Record<string, unknown>
  readonly identity: TonNotificationIdentity
  /** The serialised message, once it was queued (see {@link SendBufferInit.serialize}). */
  json?: string
}

/** Options of {@link SendBuffer}. */
export interface SendBufferInit {
  transport: 'sse' | 'ws'
  limits: SendBufferLimits
  /** The connection's TCP socket: its `writableNeedDrain` and `'drain'` are the backpressure. */
  socket: Duplex
  /** Hands one frame to the socket. */
  write: (frame: OutgoingFrame) => void
  /**
   * Serialises a frame as it is queued behind a blocked socket, so that a drain only writes: serialising
   * a long queue at once would hold the simulator's thread (emission and the socket's flushing with it)
   * for as long, where the server's sender writes frame by frame.
   */
  serialize?: (frame: OutgoingFrame) => string
  drop: (frame: OutgoingFrame, reason: TonDropReason) => void
  /** Called when a blocked socket has drained, before the queued frames are written. */
  onWritable?: () => void
}

/**
 * The path of a notification from the server's broadcast to one socket, as in server.go: the manager puts it
 * in the client's channel without blocking and drops it when the channel is full; the client's sender takes
 * it from there.
 * - WebSocket: the sender writes to the socket and blocks while the socket does, so the client's channel
 *   (`perClient`) fills behind a slow reader.
 * - SSE: the sender passes each frame on to the stream's own channel, again without blocking and dropping it
 *   silently when full, and the stream writer writes from there; so the per-client channel never holds a
 *   frame and the per-connection one (`perConnection`) is where SSE frames are lost.
 *
 * "Blocked" is the socket not taking more (`writableNeedDrain`, until `'drain'`). It is sampled after the
 * event loop had a poll phase to move the bytes, not after every write: the simulator publishes a whole
 * burst synchronously, where the real writer would keep up with a reading client between notifications.
 * So a client that keeps reading loses nothing, and one that stopped reading loses frames once the socket's
 * own buffers and this queue are full.
 */
export class SendBuffer {
  readonly #init: SendBufferInit
  readonly #capacity: number
  readonly #overflow: TonDropReason
  readonly #queue: OutgoingFrame[] = []
  #blocked = false
  #sampling = false
  #stopped = false

  constructor(init: SendBufferInit) {
    this.#init = init
    const sse = init.transport === 'sse'
    this.#capacity = sse ? init.limits.perConnection : init.limits.perClient
    this.#overflow = sse ? 'connection-buffer' : 'client-buffer'
    init.socket.on('drain', () => this.#drained())
  }

  /** Frames waiting for the socket. */
  get queued(): number {
    return this.#queue.length
  }

  /** Whether the socket is backed up, so new frames wait (or are dropped). */
  get blocked(): boolean {
    return this.#blocked
  }

  /** A notification from the broadcast: written now, queued behind a blocked socket, or dropped. */
  push(frame: OutgoingFrame): void {
    if (this.#stopped) {
      this.#init.drop(frame, 'closed')
      return
    }
    if (!this.#blocked && this.#queue.length === 0) {
      this.#init.write(frame)
      this.#sample()
      return
    }
    if (this.#queue.length >= this.#capacity) {
      this.#init.drop(frame, this.#overflow)
      return
    }
    if (this.#init.serialize) frame.json = this.#init.serialize(frame)
    this.#queue.push(frame)
  }

  /** Writes nothing more; returns what was still queued. */
  stop(): OutgoingFrame[] {
    this.#stopped = true
    return this.#queue.splice(0)
  }

  #drained(): void {
    if (!this.#blocked || this.#stopped) return
    this.#blocked = false
    this.#init.onWritable?.()
    const queued = this.#queue.splice(0)
    for (const frame of queued) this.#init.write(frame)
    this.#sample()
  }

  #sample(): void {
    if (this.#sampling) return
    this.#sampling = true
    // The first immediate runs in this turn's check phase; the second after the next poll phase, in which
    // a reading peer has taken its bytes and the socket has flushed what it could.
    setImmediate(() =>
      setImmediate(() => {
        this.#sampling = false
        if (!this.#stopped && this.#init.socket.writableNeedDrain) this.#blocked = true
      }),
    )
  }
}
