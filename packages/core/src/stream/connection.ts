import { ChainstreamError } from '../errors/chainstream-error.js'
import { isSecretHeader, isSecretParam, registerSecret } from '../errors/redact.js'
import type {
  ConnectRequest,
  Decoded,
  Diagnostic,
  EmitOrigin,
  InboundFrame,
  ProviderSession,
  StreamProviderV1,
  SubscribePlan,
} from '../provider/provider-v1.js'
import type { StreamTransport, TransportCloseReason } from '../provider/stream-transport.js'
import { endedByClient, onAbort } from '../util/abort.js'
import type { Logger } from '../util/logger.js'

/** How one connection ended, as the reconnect loop sees it. */
export type Ending =
  | { kind: 'failed'; error: ChainstreamError }
  | { kind: 'complete' }
  | { kind: 'restart'; reason: string }
  | { kind: 'closed' }

/** Events a server may send before it acknowledged the subscription, held until it does. */
const MAX_EARLY_EVENTS = 10_000

/** What a connection needs from the stream that owns it. */
export interface ConnectionHost<TEvent> {
  readonly options: {
    provider: StreamProviderV1<TEvent, never>
    logger: Logger
    heartbeatTimeoutMs: number
    openTimeoutMs: number
    maxEventSize: number
    signal: AbortSignal
  }
  deliver(event: TEvent, origin: 'live' | EmitOrigin): void
  diagnostic(diagnostic: Diagnostic): void
  track(work: Promise<unknown>): void
  addBytes(count: number): void
  /**
   * Called synchronously when the acknowledgement of the subscription was decoded, before any frame
   * behind it is handled: the stream says `subscribed` before it delivers a live event.
   */
  connectionSubscribed(connection: Connection<TEvent>): void
}

/** One connection attempt and its lifetime: transport, session, pending requests. */
export class Connection<TEvent> {
  readonly session: ProviderSession<TEvent>
  readonly ending: Promise<Ending>
  transportClosed: Promise<unknown> = Promise.resolve()
  readonly #controller = new AbortController()
  /**
   * Requests waiting for their answer, by id. This and the two below are made on first use: most
   * connections never send a request (SSE), and a client may hold a thousand connections.
   */
  #pending:
    | Map<
        string,
        {
          resolve: (value: unknown) => void
          reject: (error: unknown) => void
          timer?: ReturnType<typeof setTimeout>
        }
      >
    | undefined
  /** What the server has on this connection now (set by the engine at the acknowledgement and per change). */
  serverSubscription: unknown
  /** The version of {@link serverSubscription}; -1 until the acknowledgement. */
  serverVersion = -1
  /** Live events decoded before the acknowledgement: delivered right after it, in order. */
  #early: TEvent[] = []
  /** The server's own acknowledgement frame arrived before the plan was armed. */
  #ackSeen = false
  #plan: SubscribePlan | undefined
  /** Ids of the subscribe requests still unanswered. */
  #subscribeIds: Set<string> | undefined
  /** Subscription changes in flight, by request id: answered synchronously in the frame handler. */
  #changes: Map<string, ChangeInFlight> | undefined
  #subscribeTimer: ReturnType<typeof setTimeout> | undefined
  #resolveEnding!: (ending: Ending) => void
  #ended = false
  #subscribedAt: number | undefined
  #closeTransport: () => void = () => {}
  #sendRaw: ((data: string) => void) | undefined
  readonly #removeLifetimeListener: () => void
  /** Read once: the engine's `options` getter builds an object per call, too much for every frame. */
  readonly #provider: ConnectionHost<TEvent>['options']['provider']

  /**
   * @param subscription what this connection subscribes with (the engine's at `open`), and `version` its
   * version: what the server has once the acknowledgement arrives.
   */
  readonly #engine: ConnectionHost<TEvent>
  readonly #request: ConnectRequest

  constructor(
    engine: ConnectionHost<TEvent>,
    request: ConnectRequest,
    readonly subscription: unknown,
    readonly version: number,
  ) {
    this.#engine = engine
    this.#request = request

    this.ending = new Promise((resolve) => {
      this.#resolveEnding = resolve
    })
    const { logger, signal, provider } = engine.options
    this.#provider = provider
    this.#removeLifetimeListener = onAbort(signal, () => this.end({ kind: 'closed' }))
    this.session = {
      transport: request.transport,
      signal: this.#controller.signal,
      logger,
      send: (data) => this.#send(data),
      request: (data, id, options) => this.#sendRequest(data, id, options?.timeoutMs),
      emit: (event, origin = 'recovered') => {
        if (!this.#ended) engine.deliver(event, origin)
      },
      diagnostic: (diagnostic) => engine.diagnostic(diagnostic),
      track: (work) => engine.track(work),
    }
  }

  async open(): Promise<void> {
    const { heartbeatTimeoutMs, openTimeoutMs, maxEventSize } = this.#engine.options
    const request = this.#request
    const provider = this.#provider
    registerRequestSecrets(request)
    const transport = provider.transports?.[request.transport] as StreamTransport | undefined
    if (!transport) {
      throw new ChainstreamError(
        'InvalidArgument',
        `The provider ${provider.providerId} asked for a ${request.transport} connection but its transports have no ${request.transport} entry`,
        { isRetryable: false },
      )
    }
    const opening = transport.open(request, {
      signal: this.#controller.signal,
      heartbeatTimeoutMs,
      openTimeoutMs,
      maxEventSize,
      ...(provider.keepalive ? { keepalive: provider.keepalive } : {}),
      onFrame: (frame) => this.#frame(frame),
      onBytes: (count) => this.#engine.addBytes(count),
    })
    // A transport that returns at once (WebSocket) can be closed while it is still opening.
    const connection = opening instanceof Promise ? await opening : opening
    this.#closeTransport = () => connection.close()
    this.transportClosed = connection.closed
    if (connection.send) this.#sendRaw = (data) => connection.send?.(data)
    connection.closed.then((reason) => this.#transportEnded(reason))
    if (this.#ended) connection.close()
    await connection.opened
  }

  /** Ends this connection once; the first reason wins (two failures at once are one ending). */
  end(ending: Ending): void {
    if (this.#ended) return
    this.#ended = true
    this.#removeLifetimeListener()
    this.#controller.abort(endedByClient())
    this.#closeTransport()
    if (this.#pending?.size) {
      // Built only when someone waits: connections end often (Venum closes a stream per finished shard).
      const error =
        ending.kind === 'failed'
          ? ending.error
          : new ChainstreamError('ConnectionClosed', 'The connection ended', { isRetryable: true })
      for (const [, entry] of this.#pending) {
        if (entry.timer) clearTimeout(entry.timer)
        entry.reject(error)
      }
      this.#pending.clear()
    }
    if (this.#subscribeTimer) clearTimeout(this.#subscribeTimer)
    this.#subscribeTimer = undefined
    this.#early = []
    for (const change of new Set(this.#changes?.values())) this.#finishChange(change, this.#endingError())
    this.#resolveEnding(ending)
  }

  /** Whether the server acknowledged this connection's subscription. */
  get isSubscribed(): boolean {
    return this.#subscribedAt !== undefined
  }

  /** Whether this connection has ended. */
  get isEnded(): boolean {
    return this.#ended
  }

  /**
   * Arms the subscription step on an open connection: sends the plan's requests and starts the
   * acknowledgement timer. The acknowledgement itself is recognised synchronously in the frame handler.
   */
  arm(plan: SubscribePlan, timeoutMs: number, timeoutError: () => ChainstreamError): void {
    if (this.#ended) return
    this.#plan = plan
    if (plan.kind === 'open' || (plan.kind === 'ack' && this.#ackSeen)) {
      this.#becomeSubscribed()
      return
    }
    if (timeoutMs > 0) {
      this.#subscribeTimer = setTimeout(() => this.end({ kind: 'failed', error: timeoutError() }), timeoutMs)
    }
    if (plan.kind === 'requests') {
      const ids = new Set(plan.requests.map((request) => request.id))
      this.#subscribeIds = ids
      if (ids.size === 0) {
        this.#becomeSubscribed()
        return
      }
      try {
        for (const request of plan.requests) this.#send(request.data)
      } catch (error) {
        this.end({ kind: 'failed', error: toError(error) })
      }
    }
  }

  /**
   * Sends the requests of a subscription change. `done` is called once, synchronously from the frame
   * handler that decoded the last answer (so the change counts as applied before any frame behind that
   * answer is handled), with the first error answer, a `RequestTimeout`, or the connection's end.
   */
  sendChange(
    requests: readonly { id: string; data: string }[],
    timeoutMs: number,
    done: (error?: unknown) => void,
  ): void {
    if (this.#ended) {
      done(this.#endingError())
      return
    }
    const change: ChangeInFlight = { remaining: new Set(requests.map((r) => r.id)), done }
    if (change.remaining.size === 0) {
      done()
      return
    }
    this.#changes ??= new Map()
    const changes = this.#changes
    for (const id of change.remaining) changes.set(id, change)
    if (timeoutMs > 0) {
      change.timer = setTimeout(
        () =>
          this.#finishChange(
            change,
            new ChainstreamError(
              'RequestTimeout',
              `No answer to the subscription change (${[...change.remaining].join(', ')}) within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      )
    }
    try {
      for (const request of requests) this.#send(request.data)
    } catch (error) {
      this.#finishChange(change, error)
    }
  }

  #finishChange(change: ChangeInFlight, error?: unknown): void {
    if (change.finished) return
    change.finished = true
    if (change.timer) clearTimeout(change.timer)
    for (const id of change.remaining) this.#changes?.delete(id)
    change.remaining.clear()
    change.done(error)
  }

  #becomeSubscribed(): void {
    if (this.#ended || this.#subscribedAt !== undefined) return
    if (this.#subscribeTimer) clearTimeout(this.#subscribeTimer)
    this.#subscribeTimer = undefined
    this.#subscribedAt = Date.now()
    this.#engine.connectionSubscribed(this)
    const early = this.#early
    this.#early = []
    for (const event of early) {
      if (this.#ended) return
      this.#engine.deliver(event, 'live')
    }
  }

  subscribedFor(): number {
    return this.#subscribedAt === undefined ? 0 : Date.now() - this.#subscribedAt
  }

  #endingError(): ChainstreamError {
    return new ChainstreamError('ConnectionClosed', 'The connection ended before the request was answered')
  }

  #transportEnded(reason: TransportCloseReason): void {
    if (this.#ended) return
    if (reason.kind === 'closed') {
      this.end({ kind: 'closed' })
    } else if (reason.kind === 'end') {
      const complete = this.#engine.options.provider.isComplete?.() === true
      this.end(
        complete
          ? { kind: 'complete' }
          : {
              kind: 'failed',
              error: new ChainstreamError('ConnectionClosed', 'The server ended the stream', {
                isRetryable: true,
              }),
            },
      )
    } else if (reason.kind === 'closed-by-server') {
      const complete = this.#engine.options.provider.isComplete?.() === true
      this.end(complete ? { kind: 'complete' } : { kind: 'failed', error: reason.error })
    } else {
      this.end({ kind: 'failed', error: reason.error })
    }
  }

  #frame(frame: InboundFrame): void {
    if (this.#ended) return
    let decoded: Decoded<TEvent> | readonly Decoded<TEvent>[]
    try {
      decoded = this.#provider.decode(frame, this.session)
    } catch (error) {
      this.#engine.diagnostic({
        code: 'decode-failed',
        message: `The provider could not decode a frame: ${error instanceof Error ? error.message : String(error)}`,
      })
      return
    }
    if (Array.isArray(decoded)) {
      for (const item of decoded) this.#handle(item)
    } else {
      this.#handle(decoded as Decoded<TEvent>)
    }
  }

  #handle(decoded: Decoded<TEvent>): void {
    switch (decoded.kind) {
      case 'event':
        if (this.#subscribedAt !== undefined) {
          this.#engine.deliver(decoded.event, 'live')
        } else if (this.#early.length < MAX_EARLY_EVENTS) {
          this.#early.push(decoded.event)
        } else {
          this.end({
            kind: 'failed',
            error: new ChainstreamError(
              'ProtocolError',
              `The server sent more than ${MAX_EARLY_EVENTS} events without acknowledging the subscription`,
              { isRetryable: true },
            ),
          })
        }
        return
      case 'subscribed':
        if (this.#plan?.kind === 'ack') this.#becomeSubscribed()
        else if (this.#plan === undefined) this.#ackSeen = true
        return
      case 'response': {
        const subscribeIds = this.#subscribeIds
        if (subscribeIds?.delete(decoded.id)) {
          if (decoded.error) this.end({ kind: 'failed', error: decoded.error })
          else if (subscribeIds.size === 0) this.#becomeSubscribed()
          return
        }
        const change = this.#changes?.get(decoded.id)
        if (change) {
          this.#changes?.delete(decoded.id)
          change.remaining.delete(decoded.id)
          if (decoded.error) this.#finishChange(change, decoded.error)
          else if (change.remaining.size === 0) this.#finishChange(change)
          return
        }
        const entry = this.#pending?.get(decoded.id)
        if (!entry) return
        this.#pending?.delete(decoded.id)
        if (entry.timer) clearTimeout(entry.timer)
        if (decoded.error) entry.reject(decoded.error)
        else entry.resolve(decoded.data)
        return
      }
      case 'error':
        this.end({ kind: 'failed', error: decoded.error })
        return
      case 'diagnostic':
        this.#engine.diagnostic(decoded.diagnostic)
        return
      default:
        return
    }
  }

  #send(data: string): void {
    if (!this.#sendRaw) {
      throw new ChainstreamError('InvalidArgument', 'send() is only available on WebSocket connections')
    }
    if (this.#ended)
      throw new ChainstreamError('Closed', 'The connection has ended; the message was not sent')
    this.#sendRaw(data)
  }

  #sendRequest(data: string, id: string, timeoutMs = 30_000): Promise<unknown> {
    if (this.#ended) return Promise.reject(this.#endingError())
    this.#pending ??= new Map()
    const pending = this.#pending
    if (pending.has(id)) {
      return Promise.reject(
        new ChainstreamError('InvalidArgument', `A request with id ${id} is already pending`),
      )
    }
    return new Promise((resolve, reject) => {
      const entry: {
        resolve: (value: unknown) => void
        reject: (error: unknown) => void
        timer?: ReturnType<typeof setTimeout>
      } = {
        resolve,
        reject,
      }
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          pending.delete(id)
          reject(new ChainstreamError('RequestTimeout', `No answer to request ${id} within ${timeoutMs} ms`))
        }, timeoutMs)
      }
      pending.set(id, entry)
      try {
        this.#send(data)
      } catch (error) {
        pending.delete(id)
        if (entry.timer) clearTimeout(entry.timer)
        reject(error)
      }
    })
  }
}

/** One subscription change waiting for its answers. */
interface ChangeInFlight {
  readonly remaining: Set<string>
  readonly done: (error?: unknown) => void
  timer?: ReturnType<typeof setTimeout>
  finished?: boolean
}

function toError(error: unknown): ChainstreamError {
  return error instanceof ChainstreamError
    ? error
    : new ChainstreamError('ConnectionClosed', error instanceof Error ? error.message : String(error), {
        cause: error,
        isRetryable: true,
      })
}

/**
 * Registers the credentials a request carries (auth headers, key-like query values) for redaction, so a
 * server that echoes a key in an error body cannot leak it even when the provider forgot to register it.
 */
function registerRequestSecrets(request: ConnectRequest): void {
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (isSecretHeader(name)) registerSecret(value.replace(/^(bearer|basic)\s+/i, ''))
  }
  try {
    for (const [name, value] of new URL(request.url).searchParams) {
      if (isSecretParam(name)) registerSecret(value)
    }
  } catch {
    // An invalid URL fails in the transport with a clear error.
  }
}
