import { ChainstreamError, isChainstreamError, toChainstreamError } from '../errors/chainstream-error.js'
import type {
  ChangePlan,
  ConnectContext,
  ConnectRequest,
  Diagnostic,
  EmitOrigin,
  ProviderSession,
  StreamProviderV1,
} from '../provider/provider-v1.js'
import { backoffDelay, type ReconnectPolicy, resolveReconnectPolicy } from '../reconnect/backoff.js'
import { endedByClient, onAbort, sleep } from '../util/abort.js'
import { type Logger, silentLogger } from '../util/logger.js'
import { nonNegative } from '../util/options.js'
import { Connection, type ConnectionHost, type Ending } from './connection.js'
import { FanOut } from './fan-out.js'
import { bufferOverflow, closedError, listenerError } from './stream-errors.js'
import type {
  ChainStream,
  ChainStreamEvents,
  ConnectionState,
  StreamCounters,
  StreamEngineOptions,
} from './stream-types.js'
import { SubscribedWaiters } from './subscribed-waiters.js'

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000
const DEFAULT_OPEN_TIMEOUT_MS = 30_000
const DEFAULT_SUBSCRIBE_TIMEOUT_MS = 30_000
const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024
const DEFAULT_BUFFER_SIZE = 10_000

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
export function createStreamEngine<TEvent, TSubscription = undefined>(
  options: StreamEngineOptions<TEvent, TSubscription>,
): ChainStream<TEvent, TSubscription> {
  return new StreamEngine(options)
}

/** A caller of `update()` waiting until the server has `version` (or a later one). */
interface AppliedWaiter {
  version: number
  resolve: () => void
  reject: (error: unknown) => void
}

class StreamEngine<TEvent, TSubscription>
  implements ChainStream<TEvent, TSubscription>, ConnectionHost<TEvent>
{
  readonly #provider: StreamProviderV1<TEvent, TSubscription>
  readonly #policy: ReconnectPolicy | undefined
  readonly #logger: Logger
  readonly #random: () => number
  readonly #heartbeatTimeoutMs: number
  readonly #openTimeoutMs: number
  readonly #subscribeTimeoutMs: number
  readonly #maxEventSize: number
  /** Listeners, `for await` consumers and `closed`. */
  readonly #out: FanOut<TEvent, ChainStreamEvents<TEvent, TSubscription>>
  readonly #lifetime = new AbortController()
  readonly #subscribedWaiters = new SubscribedWaiters(this)
  readonly #removeSignalListener: () => void
  #current: Connection<TEvent> | undefined
  /** The subscription every connection subscribes with, and what `update()` changes. */
  #desired: TSubscription
  /** Bumped on every change of `desired`. */
  #version = 0
  /** The highest version a server acknowledged (or that was settled by a refusal). */
  #appliedVersion = 0
  readonly #appliedWaiters = new Set<AppliedWaiter>()
  /** A live change is being sent on the current connection. */
  #applying = false
  #loop: Promise<void> | undefined
  /** Providers' background work (recovery, periodic re-checks) of every connection, until it settles. */
  #background: Set<Promise<unknown>> | undefined
  #started = false
  #stateValue: ConnectionState = 'idle'
  #fatal: ChainstreamError | undefined
  readonly #count: StreamCounters = {
    events: 0,
    backfilled: 0,
    reconciled: 0,
    bytes: 0,
    connects: 0,
    reconnects: 0,
    dropped: 0,
    errors: 0,
    diagnostics: 0,
    lastEventAt: undefined,
    subscribedAt: undefined,
  }

  constructor(options: StreamEngineOptions<TEvent, TSubscription>) {
    if (options.provider?.specificationVersion !== 'v1') {
      throw new ChainstreamError(
        'InvalidArgument',
        `Unsupported provider specification version ${JSON.stringify(options.provider?.specificationVersion)}: this core implements 'v1'`,
      )
    }
    this.#provider = options.provider
    this.#desired = options.subscription as TSubscription
    this.#policy = options.reconnect === false ? undefined : resolveReconnectPolicy(options.reconnect)
    this.#logger = options.logger ?? silentLogger
    this.#random = options.random ?? Math.random
    this.#heartbeatTimeoutMs = nonNegative(
      options.heartbeatTimeoutMs,
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
      'heartbeatTimeoutMs',
    )
    this.#openTimeoutMs = nonNegative(options.openTimeoutMs, DEFAULT_OPEN_TIMEOUT_MS, 'openTimeoutMs')
    this.#subscribeTimeoutMs = nonNegative(
      options.subscribeTimeoutMs,
      DEFAULT_SUBSCRIBE_TIMEOUT_MS,
      'subscribeTimeoutMs',
    )
    this.#maxEventSize = nonNegative(options.maxEventSize, DEFAULT_MAX_EVENT_SIZE, 'maxEventSize')
    const bufferSize = Math.max(1, nonNegative(options.buffer?.size, DEFAULT_BUFFER_SIZE, 'buffer.size'))
    this.#out = new FanOut({
      onListenerError: (error, event) => this.#listenerFailed(error, String(event)),
      bufferSize,
      overflow: bufferOverflow(options.buffer?.overflow),
      onDrop: () => {
        this.#count.dropped++
      },
      onOverflow: (error) => this.fail(error),
    })
    this.#removeSignalListener = onAbort(options.signal, () => void this.close())
    if (options.autoStart !== false && !options.signal?.aborted) this.start()
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.#out.closed
  }

  get state(): ConnectionState {
    return this.#stateValue
  }

  get counters(): StreamCounters {
    return { ...this.#count }
  }

  get error(): ChainstreamError | undefined {
    return this.#fatal
  }

  get session(): ProviderSession<TEvent> | undefined {
    return this.#current?.session
  }

  get subscription(): TSubscription {
    return this.#desired
  }

  update(change: (current: TSubscription) => TSubscription): Promise<void> {
    if (this.#stateValue === 'closed') return Promise.reject(this.closedError('update'))
    let next: TSubscription
    try {
      next = change(this.#desired)
    } catch (error) {
      return Promise.reject(error)
    }
    this.#desired = next
    const version = ++this.#version
    const applied = new Promise<void>((resolve, reject) => {
      this.#appliedWaiters.add({ version, resolve, reject })
    })
    this.#pump()
    return applied
  }

  on<K extends keyof ChainStreamEvents<TEvent, TSubscription>>(
    event: K,
    listener: ChainStreamEvents<TEvent, TSubscription>[K],
  ): () => void {
    return this.#out.on(event, listener)
  }

  off<K extends keyof ChainStreamEvents<TEvent, TSubscription>>(
    event: K,
    listener: ChainStreamEvents<TEvent, TSubscription>[K],
  ): void {
    this.#out.off(event, listener)
  }

  start(): void {
    if (this.#started || this.#stateValue === 'closed') return
    this.#started = true
    // Deferred by a microtask so listeners attached right after creation see every state, `connecting` too.
    this.#loop = Promise.resolve()
      .then(() => this.#run())
      .catch((error: unknown) => {
        // The loop handles its own errors; reaching here is a bug, reported rather than swallowed.
        this.#finish(toChainstreamError(error, 'ProtocolError'))
      })
  }

  restart(reason = 'restart requested'): void {
    this.#current?.end({ kind: 'restart', reason })
  }

  waitSubscribed(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return this.#subscribedWaiters.wait(options)
  }

  async close(): Promise<void> {
    if (this.#stateValue !== 'closed') {
      this.#lifetime.abort(endedByClient())
      this.#current?.end({ kind: 'closed' })
      this.#finish(undefined)
    }
    await this.#loop
    await this.#current?.transportClosed
    // Every connection has ended, so its work has been told to stop: wait until it has.
    while (this.#background !== undefined) await Promise.allSettled([...this.#background])
  }

  /** Work a provider started for a connection; `close()` waits for it (see {@link ProviderSession.track}). */
  track(work: Promise<unknown>): void {
    this.#background ??= new Set()
    const background = this.#background
    const forget = (): void => {
      background.delete(settled)
      // Let go of the empty set: a client may hold a thousand engines.
      if (background.size === 0 && this.#background === background) this.#background = undefined
    }
    const settled: Promise<void> = work.then(forget, forget)
    background.add(settled)
  }

  [Symbol.asyncIterator](): AsyncIterator<TEvent> {
    return this.#out.iterator()
  }

  // ---------------------------------------------------------------------------------------------------
  // The connection loop

  lastError: ChainstreamError | undefined

  async #run(): Promise<void> {
    let attempt = 0
    let consecutiveFailures = 0
    let failingSince: number | undefined
    while (!this.#lifetime.signal.aborted) {
      const context: ConnectContext = {
        attempt,
        consecutiveFailures,
        ...(this.lastError ? { lastError: this.lastError } : {}),
        ...(failingSince !== undefined ? { failingSince } : {}),
      }
      this.#setState(attempt === 0 ? 'connecting' : 'reconnecting')
      const ending = await this.#connectOnce(context, attempt > 0)
      attempt++
      if (ending.kind === 'closed' || this.#lifetime.signal.aborted) return
      if (ending.kind === 'complete') {
        this.#finish(undefined)
        return
      }
      if (ending.kind === 'restart') {
        this.#logger.debug('restarting the connection', { reason: ending.reason })
        consecutiveFailures = 0
        failingSince = undefined
        this.#count.reconnects++
        continue
      }
      const error = this.#provider.classifyError
        ? this.#provider.classifyError(ending.error, context)
        : ending.error
      this.lastError = error
      if (!error.isRetryable || !this.#policy) {
        this.#finish(error)
        return
      }
      const subscribedFor = this.#current?.subscribedFor() ?? 0
      if (subscribedFor >= this.#policy.healthyAfterMs) {
        consecutiveFailures = 0
        failingSince = undefined
      }
      consecutiveFailures++
      failingSince ??= Date.now()
      if (consecutiveFailures > this.#policy.maxAttempts) {
        this.#finish(
          new ChainstreamError(
            'ConnectionLost',
            `Gave up reconnecting after ${consecutiveFailures - 1} attempts: ${error.message}`,
            { attempts: consecutiveFailures - 1, cause: error, isRetryable: false },
          ),
        )
        return
      }
      const delayMs = backoffDelay(this.#policy, consecutiveFailures, error.retryAfterMs, this.#random)
      this.#count.reconnects++
      this.#setState('reconnecting')
      this.#report(error)
      this.#out.emit('reconnect', { attempt: consecutiveFailures, delayMs, error })
      this.#logger.info('reconnecting', { attempt: consecutiveFailures, delayMs, code: error.code })
      try {
        await sleep(delayMs, this.#lifetime.signal)
      } catch {
        return
      }
    }
  }

  /** One connection from open to its end. Never throws. */
  async #connectOnce(context: ConnectContext, reconnect: boolean): Promise<Ending> {
    const subscription = this.#desired
    const version = this.#version
    let request: ConnectRequest
    try {
      request = this.#provider.open(context, subscription)
    } catch (error) {
      return { kind: 'failed', error: toChainstreamError(error, 'InvalidArgument') }
    }
    const connection = new Connection<TEvent>(this, request, subscription, version)
    this.#current = connection
    this.#lastEventAtBefore = this.#count.lastEventAt
    this.#reconnecting = reconnect
    try {
      await connection.open()
      const plan = this.#provider.subscribe
        ? this.#provider.subscribe(subscription, connection.session)
        : { kind: 'open' as const }
      connection.arm(
        plan,
        this.#subscribeTimeoutMs,
        () =>
          new ChainstreamError(
            'SubscribeTimeout',
            `${this.#provider.providerId} did not acknowledge the subscription within ${this.#subscribeTimeoutMs} ms`,
          ),
      )
    } catch (error) {
      connection.end({ kind: 'failed', error: toChainstreamError(error, 'ConnectionClosed') })
    }
    const ending = await connection.ending
    this.#count.subscribedAt = undefined
    await connection.transportClosed
    return ending
  }

  #lastEventAtBefore: number | undefined
  #reconnecting = false

  /** The acknowledgement was decoded: `subscribed` now, before any event behind it is delivered. */
  connectionSubscribed(connection: Connection<TEvent>): void {
    if (connection !== this.#current) return
    const session = connection.session
    this.#count.connects++
    this.#count.subscribedAt = Date.now()
    connection.serverSubscription = connection.subscription
    connection.serverVersion = connection.version
    this.#markApplied(connection.version)
    this.#out.emit('applied', connection.subscription as TSubscription)
    this.#setState('subscribed')
    this.#callProvider(() => this.#provider.subscribed?.(connection.subscription as TSubscription, session))
    if (this.#provider.recover) {
      const lastEventAt = this.#lastEventAtBefore
      const recovery = this.#provider
        .recover(session, {
          reconnect: this.#reconnecting,
          subscription: connection.subscription as TSubscription,
          signal: session.signal,
          ...(lastEventAt !== undefined ? { lastEventAt } : {}),
        })
        .catch((error: unknown) => {
          if (!session.signal.aborted) {
            this.#report(toChainstreamError(error, 'ConnectionClosed'), 'recovery failed')
          }
        })
      this.track(recovery)
    }
    if (this.#version > connection.version) this.#pump()
  }

  // ---------------------------------------------------------------------------------------------------
  // Subscription changes

  /** Applies the desired subscription to the live connection, if there is one and it lags behind. */
  #pump(): void {
    const connection = this.#current
    if (this.#applying || !connection || !connection.isSubscribed || connection.isEnded) return
    if (connection.serverVersion >= this.#version) return
    this.#applying = true
    this.#applyNext(connection)
  }

  /**
   * One step of bringing `connection` to the desired subscription; continues from the answer's callback
   * (synchronously in the frame handler, so the change counts as applied before any frame behind the
   * answer is delivered) until the connection has the latest version, ends, or needs a reconnect.
   */
  #applyNext(connection: Connection<TEvent>): void {
    if (connection.isEnded || connection.serverVersion >= this.#version) {
      this.#applying = false
      // A change that came in while the connection ended, or a new connection that lags.
      if (this.#current !== connection) this.#pump()
      return
    }
    const target = this.#desired
    const targetVersion = this.#version
    const from = connection.serverSubscription as TSubscription
    let plan: ChangePlan
    try {
      plan = this.#provider.change
        ? this.#provider.change(from, target, connection.session)
        : { kind: 'reconnect', reason: 'subscription changed' }
    } catch (error) {
      this.#settleRefused(connection, targetVersion, error)
      this.#applyNext(connection)
      return
    }
    if (plan.kind === 'reconnect') {
      // The next connection opens with the desired subscription; its acknowledgement settles the waiters.
      this.#applying = false
      connection.end({ kind: 'restart', reason: plan.reason })
      return
    }
    if (plan.kind === 'none') {
      this.#appliedLive(connection, target, targetVersion, from)
      this.#applyNext(connection)
      return
    }
    connection.sendChange(plan.requests, this.#subscribeTimeoutMs, (error) => {
      if (connection.isEnded) {
        // The next connection subscribes with the desired subscription.
        this.#applying = false
        if (this.#current !== connection) this.#pump()
        return
      }
      if (error === undefined) {
        this.#appliedLive(connection, target, targetVersion, from)
      } else if (isChainstreamError(error, 'RequestTimeout')) {
        // No answer is not a refusal: start over on a fresh connection.
        this.#applying = false
        connection.end({ kind: 'restart', reason: 'subscription change not acknowledged' })
        return
      } else {
        this.#settleRefused(connection, targetVersion, error)
      }
      this.#applyNext(connection)
    })
  }

  #appliedLive(
    connection: Connection<TEvent>,
    target: TSubscription,
    targetVersion: number,
    from: TSubscription,
  ): void {
    connection.serverSubscription = target
    connection.serverVersion = targetVersion
    this.#markApplied(targetVersion)
    this.#out.emit('applied', target)
    this.#callProvider(() => this.#provider.subscribed?.(target, connection.session, from))
  }

  /**
   * The server refused a change and kept what it had: every waiter up to `version` learns why, and when no
   * later change is queued the desired subscription goes back to what the server has.
   */
  #settleRefused(connection: Connection<TEvent>, version: number, error: unknown): void {
    for (const waiter of this.#appliedWaiters) {
      if (waiter.version <= version) {
        this.#appliedWaiters.delete(waiter)
        waiter.reject(error)
      }
    }
    if (this.#version === version) this.#desired = connection.serverSubscription as TSubscription
    connection.serverVersion = version
    if (version > this.#appliedVersion) this.#appliedVersion = version
  }

  #markApplied(version: number): void {
    if (version > this.#appliedVersion) this.#appliedVersion = version
    for (const waiter of this.#appliedWaiters) {
      if (waiter.version <= this.#appliedVersion) {
        this.#appliedWaiters.delete(waiter)
        waiter.resolve()
      }
    }
  }

  /** Runs a provider hook; a hook that throws is reported, never allowed to break the connection loop. */
  #callProvider(hook: () => void): void {
    try {
      hook()
    } catch (error) {
      this.#report(toChainstreamError(error, 'ProtocolError'), 'provider hook threw')
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Called by connections

  /** Delivers an event to listeners and iterators. The hot path: no allocation beyond the caller's. */
  deliver(event: TEvent, origin: 'live' | EmitOrigin): void {
    this.#count.events++
    if (origin === 'recovered') this.#count.backfilled++
    else if (origin === 'reconciled') this.#count.reconciled++
    this.#count.lastEventAt = Date.now()
    this.#out.emit('event', event)
    this.#out.push(event)
  }

  diagnostic(diagnostic: Diagnostic): void {
    this.#count.diagnostics++
    this.#logger.debug('diagnostic', { code: diagnostic.code, message: diagnostic.message })
    this.#out.emit('diagnostic', diagnostic)
  }

  addBytes(count: number): void {
    this.#count.bytes += count
  }

  /** A fatal error raised outside the loop (buffer overflow): ends everything. */
  fail(error: ChainstreamError): void {
    if (this.#stateValue === 'closed') return
    this.#lifetime.abort(error)
    this.#current?.end({ kind: 'closed' })
    this.#finish(error)
  }

  get options() {
    return {
      provider: this.#provider,
      logger: this.#logger,
      heartbeatTimeoutMs: this.#heartbeatTimeoutMs,
      openTimeoutMs: this.#openTimeoutMs,
      maxEventSize: this.#maxEventSize,
      signal: this.#lifetime.signal,
    }
  }

  // ---------------------------------------------------------------------------------------------------

  #report(error: ChainstreamError, context?: string): void {
    this.#count.errors++
    this.#logger.warn(context ?? 'stream error', { code: error.code, message: error.message })
    this.#out.emit('error', error)
  }

  #listenerFailed(error: unknown, event: string): void {
    if (event === 'error') {
      // An error listener that throws has nowhere left to report to.
      this.#logger.error('an error listener threw', { message: String(error) })
      return
    }
    this.#report(listenerError(error, event), 'listener threw')
  }

  #setState(next: ConnectionState): void {
    const previous = this.#stateValue
    if (previous === next || previous === 'closed') return
    this.#stateValue = next
    this.#logger.debug('state', { from: previous, to: next })
    this.#out.emit('state', next, previous)
    this.#subscribedWaiters.notify()
  }

  #finish(error: ChainstreamError | undefined): void {
    if (this.#stateValue === 'closed') return
    this.#lifetime.abort(error ?? endedByClient())
    this.#removeSignalListener()
    if (error) this.#fatal = error
    this.#setState('closed')
    // Built only for a waiter: most streams end with none (a Venum stream per finished batch).
    if (this.#appliedWaiters.size > 0) {
      const reason = this.closedError('the subscription change was applied')
      for (const waiter of this.#appliedWaiters) waiter.reject(reason)
      this.#appliedWaiters.clear()
    }
    // Iterators end first, so a `close` listener finds every consumer finished.
    this.#out.end(error)
    this.#out.emit('close', error)
  }

  closedError(what: string): ChainstreamError {
    return closedError(this.#fatal, what)
  }
}
