import { abortError, ChainstreamError, toChainstreamError } from '../errors/chainstream-error.js'
import { isSecretHeader, isSecretParam, registerSecret } from '../errors/redact.js'
import type {
  ConnectContext,
  ConnectRequest,
  Decoded,
  Diagnostic,
  InboundFrame,
  ProviderSession,
  StreamProviderV1,
} from '../provider/provider-v1.js'
import { backoffDelay, type ReconnectPolicy, resolveReconnectPolicy } from '../reconnect/backoff.js'
import { connectSse } from '../sse/sse-transport.js'
import type { SseCloseReason } from '../sse/sse-transport-types.js'
import type { SseMessage } from '../sse/sse-types.js'
import { onAbort, sleep } from '../util/abort.js'
import { Emitter } from '../util/emitter.js'
import { type Logger, silentLogger } from '../util/logger.js'
import { nonNegative } from '../util/options.js'
import { openWebSocket } from '../websocket/websocket-transport.js'
import type { WebSocketCloseReason } from '../websocket/websocket-types.js'
import { BoundedQueue, type OverflowPolicy } from './bounded-queue.js'
import type {
  ChainStream,
  ChainStreamEvents,
  ConnectionState,
  StreamCounters,
  StreamEngineOptions,
} from './stream-types.js'

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000
const DEFAULT_OPEN_TIMEOUT_MS = 30_000
const DEFAULT_SUBSCRIBE_TIMEOUT_MS = 30_000
const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024
const DEFAULT_BUFFER_SIZE = 10_000

/** How one connection ended, as the reconnect loop sees it. */
type Ending =
  | { kind: 'failed'; error: ChainstreamError }
  | { kind: 'complete' }
  | { kind: 'restart'; reason: string }
  | { kind: 'closed' }

/**
 * Creates a stream over a provider: the core's connection owner. One loop per stream connects, subscribes,
 * recovers, dispatches frames and reconnects with jittered backoff; nothing else ever opens a socket for it,
 * so two failures at once can never start two reconnects.
 *
 * @example
 * ```ts
 * const stream = createStreamEngine({ provider, reconnect: { maxAttempts: 20 } })
 * stream.on('event', (event) => console.log(event))
 * await stream.waitSubscribed({ timeoutMs: 10_000 })
 * ```
 */
export function createStreamEngine<TEvent>(options: StreamEngineOptions<TEvent>): ChainStream<TEvent> {
  return new StreamEngine(options)
}

class StreamEngine<TEvent> implements ChainStream<TEvent> {
  private readonly provider: StreamProviderV1<TEvent>
  private readonly policy: ReconnectPolicy | undefined
  private readonly logger: Logger
  private readonly random: () => number
  private readonly heartbeatTimeoutMs: number
  private readonly openTimeoutMs: number
  private readonly subscribeTimeoutMs: number
  private readonly maxEventSize: number
  private readonly bufferSize: number
  private readonly overflow: OverflowPolicy
  private readonly emitter: Emitter<ChainStreamEvents<TEvent>>
  private readonly lifetime = new AbortController()
  private readonly iterators = new Set<BoundedQueue<TEvent>>()
  private readonly stateWaiters = new Set<() => void>()
  private readonly removeSignalListener: () => void
  private current: Connection<TEvent> | undefined
  private loop: Promise<void> | undefined
  private started = false
  private stateValue: ConnectionState = 'idle'
  private fatal: ChainstreamError | undefined
  private resolveClosed!: (error: ChainstreamError | undefined) => void
  private readonly count: StreamCounters = {
    events: 0,
    backfilled: 0,
    bytes: 0,
    connects: 0,
    reconnects: 0,
    dropped: 0,
    errors: 0,
    diagnostics: 0,
    lastEventAt: undefined,
    subscribedAt: undefined,
  }
  readonly closed: Promise<ChainstreamError | undefined>

  constructor(options: StreamEngineOptions<TEvent>) {
    if (options.provider?.specificationVersion !== 'v1') {
      throw new ChainstreamError(
        'InvalidArgument',
        `Unsupported provider specification version ${JSON.stringify(options.provider?.specificationVersion)}: this core implements 'v1'`,
      )
    }
    this.provider = options.provider
    this.policy = options.reconnect === false ? undefined : resolveReconnectPolicy(options.reconnect)
    this.logger = options.logger ?? silentLogger
    this.random = options.random ?? Math.random
    this.heartbeatTimeoutMs = nonNegative(
      options.heartbeatTimeoutMs,
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
      'heartbeatTimeoutMs',
    )
    this.openTimeoutMs = nonNegative(options.openTimeoutMs, DEFAULT_OPEN_TIMEOUT_MS, 'openTimeoutMs')
    this.subscribeTimeoutMs = nonNegative(
      options.subscribeTimeoutMs,
      DEFAULT_SUBSCRIBE_TIMEOUT_MS,
      'subscribeTimeoutMs',
    )
    this.maxEventSize = nonNegative(options.maxEventSize, DEFAULT_MAX_EVENT_SIZE, 'maxEventSize')
    this.bufferSize = Math.max(1, nonNegative(options.buffer?.size, DEFAULT_BUFFER_SIZE, 'buffer.size'))
    this.overflow = options.buffer?.overflow ?? 'fail'
    if (this.overflow !== 'fail' && this.overflow !== 'dropOldest') {
      throw new ChainstreamError(
        'InvalidArgument',
        `buffer.overflow must be 'fail' or 'dropOldest', got ${String(this.overflow)}`,
      )
    }
    this.emitter = new Emitter((error, event) => this.listenerFailed(error, String(event)))
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
    this.removeSignalListener = onAbort(options.signal, () => void this.close())
    if (options.autoStart !== false && !options.signal?.aborted) this.start()
  }

  get state(): ConnectionState {
    return this.stateValue
  }

  get counters(): StreamCounters {
    return { ...this.count }
  }

  get error(): ChainstreamError | undefined {
    return this.fatal
  }

  get session(): ProviderSession<TEvent> | undefined {
    return this.current?.session
  }

  on<K extends keyof ChainStreamEvents<TEvent>>(
    event: K,
    listener: ChainStreamEvents<TEvent>[K],
  ): () => void {
    return this.emitter.on(event, listener)
  }

  off<K extends keyof ChainStreamEvents<TEvent>>(event: K, listener: ChainStreamEvents<TEvent>[K]): void {
    this.emitter.off(event, listener)
  }

  start(): void {
    if (this.started || this.stateValue === 'closed') return
    this.started = true
    // Deferred by a microtask so listeners attached right after creation see every state, `connecting` too.
    this.loop = Promise.resolve()
      .then(() => this.run())
      .catch((error: unknown) => {
        // The loop handles its own errors; reaching here is a bug, reported rather than swallowed.
        this.finish(toChainstreamError(error, 'ProtocolError'))
      })
  }

  restart(reason = 'restart requested'): void {
    this.current?.end({ kind: 'restart', reason })
  }

  waitSubscribed(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.stateValue === 'subscribed') return Promise.resolve()
    if (this.stateValue === 'closed') return Promise.reject(this.closedError('waitSubscribed'))
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal, 'waitSubscribed'))
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const cleanup = () => {
        this.stateWaiters.delete(check)
        if (timer) clearTimeout(timer)
        removeAbort()
      }
      const check = () => {
        if (this.stateValue === 'subscribed') {
          cleanup()
          resolve()
        } else if (this.stateValue === 'closed') {
          cleanup()
          reject(this.closedError('waitSubscribed'))
        }
      }
      const removeAbort = onAbort(options.signal, () => {
        cleanup()
        reject(abortError(options.signal, 'waitSubscribed'))
      })
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup()
          reject(
            new ChainstreamError(
              'SubscribeTimeout',
              `The stream was not subscribed within ${options.timeoutMs} ms (state: ${this.stateValue})`,
              { isRetryable: true, ...(this.lastError ? { cause: this.lastError } : {}) },
            ),
          )
        }, options.timeoutMs)
      }
      this.stateWaiters.add(check)
    })
  }

  async close(): Promise<void> {
    if (this.stateValue !== 'closed') {
      this.lifetime.abort()
      this.current?.end({ kind: 'closed' })
      this.finish(undefined)
    }
    await this.loop
    await this.current?.transportClosed
  }

  [Symbol.asyncIterator](): AsyncIterator<TEvent> {
    const queue: BoundedQueue<TEvent> = new BoundedQueue<TEvent>(
      this.bufferSize,
      this.overflow,
      () => {
        this.count.dropped++
      },
      (error) => this.fail(error),
      () => {
        this.iterators.delete(queue)
      },
    )
    if (this.stateValue === 'closed') queue.end(this.fatal)
    else this.iterators.add(queue)
    return queue
  }

  // ---------------------------------------------------------------------------------------------------
  // The connection loop

  private lastError: ChainstreamError | undefined

  private async run(): Promise<void> {
    let attempt = 0
    let consecutiveFailures = 0
    let failingSince: number | undefined
    while (!this.lifetime.signal.aborted) {
      const context: ConnectContext = {
        attempt,
        consecutiveFailures,
        ...(this.lastError ? { lastError: this.lastError } : {}),
        ...(failingSince !== undefined ? { failingSince } : {}),
      }
      this.setState(attempt === 0 ? 'connecting' : 'reconnecting')
      const ending = await this.connectOnce(context, attempt > 0)
      attempt++
      if (ending.kind === 'closed' || this.lifetime.signal.aborted) return
      if (ending.kind === 'complete') {
        this.finish(undefined)
        return
      }
      if (ending.kind === 'restart') {
        this.logger.debug('restarting the connection', { reason: ending.reason })
        consecutiveFailures = 0
        failingSince = undefined
        this.count.reconnects++
        continue
      }
      const error = this.provider.classifyError
        ? this.provider.classifyError(ending.error, context)
        : ending.error
      this.lastError = error
      if (!error.isRetryable || !this.policy) {
        this.finish(error)
        return
      }
      const subscribedFor = this.current?.subscribedFor() ?? 0
      if (subscribedFor >= this.policy.healthyAfterMs) {
        consecutiveFailures = 0
        failingSince = undefined
      }
      consecutiveFailures++
      failingSince ??= Date.now()
      if (consecutiveFailures > this.policy.maxAttempts) {
        this.finish(
          new ChainstreamError(
            'ConnectionLost',
            `Gave up reconnecting after ${consecutiveFailures - 1} attempts: ${error.message}`,
            { attempts: consecutiveFailures - 1, cause: error, isRetryable: false },
          ),
        )
        return
      }
      const delayMs = backoffDelay(this.policy, consecutiveFailures, error.retryAfterMs, this.random)
      this.count.reconnects++
      this.setState('reconnecting')
      this.report(error)
      this.emitter.emit('reconnect', { attempt: consecutiveFailures, delayMs, error })
      this.logger.info('reconnecting', { attempt: consecutiveFailures, delayMs, code: error.code })
      try {
        await sleep(delayMs, this.lifetime.signal)
      } catch {
        return
      }
    }
  }

  /** One connection from open to its end. Never throws. */
  private async connectOnce(context: ConnectContext, reconnect: boolean): Promise<Ending> {
    let request: ConnectRequest
    try {
      request = this.provider.open(context)
    } catch (error) {
      return { kind: 'failed', error: toChainstreamError(error, 'InvalidArgument') }
    }
    const connection = new Connection<TEvent>(this, request)
    this.current = connection
    const lastEventAt = this.count.lastEventAt
    try {
      await connection.open()
      if (this.provider.subscribe) {
        await connection.withTimeout(
          this.provider.subscribe(connection.session),
          this.subscribeTimeoutMs,
          () =>
            new ChainstreamError(
              'SubscribeTimeout',
              `${this.provider.providerId} did not acknowledge the subscription within ${this.subscribeTimeoutMs} ms`,
            ),
        )
      }
      connection.markSubscribed()
      this.count.connects++
      this.count.subscribedAt = Date.now()
      this.setState('subscribed')
      if (this.provider.recover) {
        const recovery = this.provider
          .recover(connection.session, {
            reconnect,
            signal: connection.session.signal,
            ...(lastEventAt !== undefined ? { lastEventAt } : {}),
          })
          .catch((error: unknown) => {
            if (!connection.session.signal.aborted) {
              this.report(toChainstreamError(error, 'ConnectionClosed'), 'recovery failed')
            }
          })
        connection.track(recovery)
      }
    } catch (error) {
      connection.end({ kind: 'failed', error: toChainstreamError(error, 'ConnectionClosed') })
    }
    const ending = await connection.ending
    this.count.subscribedAt = undefined
    await connection.transportClosed
    return ending
  }

  // ---------------------------------------------------------------------------------------------------
  // Called by connections

  /** Delivers an event to listeners and iterators. The hot path: no allocation beyond the caller's. */
  deliver(event: TEvent, recovered: boolean): void {
    this.count.events++
    if (recovered) this.count.backfilled++
    this.count.lastEventAt = Date.now()
    this.emitter.emit('event', event)
    for (const queue of this.iterators) queue.push(event)
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.count.diagnostics++
    this.logger.debug('diagnostic', { code: diagnostic.code, message: diagnostic.message })
    this.emitter.emit('diagnostic', diagnostic)
  }

  addBytes(count: number): void {
    this.count.bytes += count
  }

  /** A fatal error raised outside the loop (buffer overflow): ends everything. */
  fail(error: ChainstreamError): void {
    if (this.stateValue === 'closed') return
    this.lifetime.abort()
    this.current?.end({ kind: 'closed' })
    this.finish(error)
  }

  get options() {
    return {
      provider: this.provider,
      logger: this.logger,
      heartbeatTimeoutMs: this.heartbeatTimeoutMs,
      openTimeoutMs: this.openTimeoutMs,
      maxEventSize: this.maxEventSize,
      signal: this.lifetime.signal,
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private report(error: ChainstreamError, context?: string): void {
    this.count.errors++
    this.logger.warn(context ?? 'stream error', { code: error.code, message: error.message })
    this.emitter.emit('error', error)
  }

  private listenerFailed(error: unknown, event: string): void {
    if (event === 'error') {
      // An error listener that throws has nowhere left to report to.
      this.logger.error('an error listener threw', { message: String(error) })
      return
    }
    const wrapped = new ChainstreamError(
      'ProtocolError',
      `A '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}. The stream continues.`,
      { cause: error, isRetryable: true },
    )
    this.report(wrapped, 'listener threw')
  }

  private setState(next: ConnectionState): void {
    const previous = this.stateValue
    if (previous === next || previous === 'closed') return
    this.stateValue = next
    this.logger.debug('state', { from: previous, to: next })
    this.emitter.emit('state', next, previous)
    for (const waiter of [...this.stateWaiters]) waiter()
  }

  private finish(error: ChainstreamError | undefined): void {
    if (this.stateValue === 'closed') return
    this.lifetime.abort()
    this.removeSignalListener()
    if (error) this.fatal = error
    this.setState('closed')
    for (const queue of this.iterators) queue.end(error)
    this.iterators.clear()
    this.emitter.emit('close', error)
    this.resolveClosed(error)
  }

  private closedError(what: string): ChainstreamError {
    return (
      this.fatal ??
      new ChainstreamError('Closed', `The stream was closed before ${what} completed`, { isRetryable: false })
    )
  }
}

/** One connection attempt and its lifetime: transport, session, pending requests. */
class Connection<TEvent> {
  readonly session: ProviderSession<TEvent>
  readonly ending: Promise<Ending>
  transportClosed: Promise<unknown> = Promise.resolve()
  private readonly controller = new AbortController()
  private readonly pending = new Map<
    string,
    {
      resolve: (value: unknown) => void
      reject: (error: unknown) => void
      timer?: ReturnType<typeof setTimeout>
    }
  >()
  private subscribedFrames: unknown[] = []
  private subscribedWaiter: ((data: unknown) => void) | undefined
  private resolveEnding!: (ending: Ending) => void
  private ended = false
  private subscribedAt: number | undefined
  private closeTransport: () => void = () => {}
  private sendRaw: ((data: string) => void) | undefined
  private readonly background = new Set<Promise<unknown>>()
  private readonly removeLifetimeListener: () => void

  constructor(
    private readonly engine: StreamEngine<TEvent>,
    private readonly request: ConnectRequest,
  ) {
    this.ending = new Promise((resolve) => {
      this.resolveEnding = resolve
    })
    const { logger, signal } = engine.options
    this.removeLifetimeListener = onAbort(signal, () => this.end({ kind: 'closed' }))
    this.session = {
      transport: request.transport,
      signal: this.controller.signal,
      logger,
      send: (data) => this.send(data),
      request: (data, id, options) => this.sendRequest(data, id, options?.timeoutMs),
      waitForSubscribed: (options) => this.waitForSubscribed(options?.timeoutMs),
      emit: (event) => {
        if (!this.ended) engine.deliver(event, true)
      },
      diagnostic: (diagnostic) => engine.diagnostic(diagnostic),
    }
  }

  async open(): Promise<void> {
    const { heartbeatTimeoutMs, openTimeoutMs, maxEventSize } = this.engine.options
    const request = this.request
    registerRequestSecrets(request)
    if (request.transport === 'sse') {
      const connection = await connectSse({
        url: request.url,
        method: request.method ?? 'GET',
        signal: this.controller.signal,
        heartbeatTimeoutMs,
        openTimeoutMs,
        maxEventSize,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.fetch ? { fetch: request.fetch } : {}),
        onEvent: (message: SseMessage) => this.frame({ transport: 'sse', message }),
        onBytes: (count: number) => this.engine.addBytes(count),
      })
      this.closeTransport = () => connection.close()
      this.transportClosed = connection.closed
      connection.closed.then((reason) => this.transportEnded(reason))
      if (this.ended) connection.close()
      return
    }
    const { provider } = this.engine.options
    const socket = openWebSocket({
      url: request.url,
      signal: this.controller.signal,
      openTimeoutMs,
      maxMessageSize: maxEventSize,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.protocols ? { protocols: request.protocols } : {}),
      ...(request.WebSocket ? { WebSocket: request.WebSocket } : {}),
      ...(provider.keepalive ? { keepalive: provider.keepalive } : {}),
      onMessage: (data: string) => this.frame({ transport: 'websocket', data }),
      onBytes: (count: number) => this.engine.addBytes(count),
    })
    this.closeTransport = () => socket.close()
    this.transportClosed = socket.closed
    this.sendRaw = (data) => socket.send(data)
    socket.closed.then((reason) => this.transportEnded(reason))
    await socket.opened
  }

  /** Ends this connection once; the first reason wins (two failures at once are one ending). */
  end(ending: Ending): void {
    if (this.ended) return
    this.ended = true
    this.removeLifetimeListener()
    this.controller.abort()
    this.closeTransport()
    const error =
      ending.kind === 'failed'
        ? ending.error
        : new ChainstreamError('ConnectionClosed', 'The connection ended', { isRetryable: true })
    for (const [, entry] of this.pending) {
      if (entry.timer) clearTimeout(entry.timer)
      entry.reject(error)
    }
    this.pending.clear()
    this.subscribedWaiter = undefined
    this.resolveEnding(ending)
  }

  markSubscribed(): void {
    this.subscribedAt = Date.now()
  }

  subscribedFor(): number {
    return this.subscribedAt === undefined ? 0 : Date.now() - this.subscribedAt
  }

  track(work: Promise<unknown>): void {
    this.background.add(work)
    work.finally(() => this.background.delete(work))
  }

  /** Races `work` against the connection's end and a timeout. */
  withTimeout<T>(work: Promise<T>, timeoutMs: number, timeoutError: () => ChainstreamError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => reject(timeoutError()), timeoutMs) : undefined
      const stop = onAbort(this.controller.signal, () => reject(this.endingError()))
      work.then(
        (value) => {
          if (timer) clearTimeout(timer)
          stop()
          resolve(value)
        },
        (error: unknown) => {
          if (timer) clearTimeout(timer)
          stop()
          reject(error)
        },
      )
    })
  }

  private endingError(): ChainstreamError {
    return new ChainstreamError(
      'ConnectionClosed',
      'The connection ended before the subscription was acknowledged',
    )
  }

  private transportEnded(reason: SseCloseReason | WebSocketCloseReason): void {
    if (this.ended) return
    if (reason.kind === 'closed') {
      this.end({ kind: 'closed' })
    } else if (reason.kind === 'end') {
      const complete = this.engine.options.provider.isComplete?.() === true
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
      const complete = this.engine.options.provider.isComplete?.() === true
      this.end(complete ? { kind: 'complete' } : { kind: 'failed', error: reason.error })
    } else {
      this.end({ kind: 'failed', error: reason.error })
    }
  }

  private frame(frame: InboundFrame): void {
    if (this.ended) return
    let decoded: Decoded<TEvent> | readonly Decoded<TEvent>[]
    try {
      decoded = this.engine.options.provider.decode(frame, this.session)
    } catch (error) {
      this.engine.diagnostic({
        code: 'decode-failed',
        message: `The provider could not decode a frame: ${error instanceof Error ? error.message : String(error)}`,
      })
      return
    }
    if (Array.isArray(decoded)) {
      for (const item of decoded) this.handle(item)
    } else {
      this.handle(decoded as Decoded<TEvent>)
    }
  }

  private handle(decoded: Decoded<TEvent>): void {
    switch (decoded.kind) {
      case 'event':
        this.engine.deliver(decoded.event, false)
        return
      case 'subscribed': {
        const waiter = this.subscribedWaiter
        if (waiter) {
          this.subscribedWaiter = undefined
          waiter(decoded.data)
        } else {
          this.subscribedFrames.push(decoded.data)
        }
        return
      }
      case 'response': {
        const entry = this.pending.get(decoded.id)
        if (!entry) return
        this.pending.delete(decoded.id)
        if (entry.timer) clearTimeout(entry.timer)
        if (decoded.error) entry.reject(decoded.error)
        else entry.resolve(decoded.data)
        return
      }
      case 'error':
        this.end({ kind: 'failed', error: decoded.error })
        return
      case 'diagnostic':
        this.engine.diagnostic(decoded.diagnostic)
        return
      default:
        return
    }
  }

  private send(data: string): void {
    if (!this.sendRaw) {
      throw new ChainstreamError('InvalidArgument', 'send() is only available on WebSocket connections')
    }
    if (this.ended) throw new ChainstreamError('Closed', 'The connection has ended; the message was not sent')
    this.sendRaw(data)
  }

  private sendRequest(data: string, id: string, timeoutMs = 30_000): Promise<unknown> {
    if (this.ended) return Promise.reject(this.endingError())
    if (this.pending.has(id)) {
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
          this.pending.delete(id)
          reject(new ChainstreamError('RequestTimeout', `No answer to request ${id} within ${timeoutMs} ms`))
        }, timeoutMs)
      }
      this.pending.set(id, entry)
      try {
        this.send(data)
      } catch (error) {
        this.pending.delete(id)
        if (entry.timer) clearTimeout(entry.timer)
        reject(error)
      }
    })
  }

  private waitForSubscribed(timeoutMs = 30_000): Promise<unknown> {
    if (this.subscribedFrames.length > 0) return Promise.resolve(this.subscribedFrames.shift())
    if (this.ended) return Promise.reject(this.endingError())
    return this.withTimeout(
      new Promise<unknown>((resolve) => {
        this.subscribedWaiter = resolve
      }),
      timeoutMs,
      () =>
        new ChainstreamError('SubscribeTimeout', `No subscription acknowledgement within ${timeoutMs} ms`),
    )
  }
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
