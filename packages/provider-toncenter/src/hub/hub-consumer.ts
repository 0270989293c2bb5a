import {
  type BufferOptions,
  type ChainStreamEvents,
  ChainstreamError,
  type ConnectionState,
  type StreamCounters,
} from '@chainstream/core'
import {
  bufferOverflow,
  closedError,
  FanOut,
  listenerError,
  onAbort,
  SubscribedWaiters,
} from '@chainstream/core/provider'
import {
  compileHandler,
  type HandlerFilter,
  isTonEventType,
  type TonEventHandler,
} from '../handler-filters.js'
import type { TonEventType } from '../protocol/event-types.js'
import {
  applySubscriptionChange,
  isIdleSubscription,
  removeFromSubscription,
  type TonSubscription,
} from '../protocol/subscription.js'
import type { TonEvent } from '../ton-event.js'
import type { TonStream, TonStreamEvents, TonStreamUpdate, TonUnsubscribe } from '../ton-stream.js'
import { type ConsumerFilter, compileConsumerFilter, eventForConsumer, TraceMemory } from './consumer-view.js'
import type { HubMember, TonHub } from './ton-hub.js'

const DEFAULT_BUFFER_SIZE = 10_000

/** What a consumer needs to know besides its subscription. */
export interface HubConsumerOptions {
  transport: 'sse' | 'websocket'
  buffer?: BufferOptions | undefined
  signal?: AbortSignal | undefined
  /**
   * Whether this consumer was shown `hash` below `finalized` somewhere this object cannot remember — by an
   * earlier process of a durable consumer that resumed — so that the trace's invalidation reaches it.
   */
  shownElsewhere?: ((hash: string, subscription: TonSubscription) => boolean) | undefined
}

/**
 * One `stream()` on a shared connection: its own subscription, handlers, `for await` consumers,
 * counters and state, with the events of the shared stream trimmed back to what it asked for — exactly
 * once each, in the order the connection received them. Its `state` is `subscribed` only once the server
 * has a subscription that contains its own; nothing is delivered to it before.
 */
export class HubConsumer implements TonStream, HubMember {
  #filter: ConsumerFilter
  readonly #memory = new TraceMemory()
  readonly #out: FanOut<TonEvent, TonStreamEvents>
  #stateValue: ConnectionState = 'idle'
  /** The server has this consumer's subscription (its join or last change was applied). */
  #joined = false
  #started = false
  readonly #subscribedWaiters = new SubscribedWaiters(this)
  readonly #removeAbort: () => void
  readonly #own = { events: 0, backfilled: 0, reconciled: 0, dropped: 0, lastEventAt: 0 }
  /** Settles when this stream has left its hub (and the connection is closed, if it was the last). */
  #leaving: Promise<void> = Promise.resolve()
  /** The error this stream ended with, if any. */
  #fatal: ChainstreamError | undefined
  /** Changes made before `start()`, settled by the first join. */
  #joinWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = []

  readonly #hub: TonHub
  readonly #options: HubConsumerOptions

  constructor(hub: TonHub, subscription: TonSubscription, options: HubConsumerOptions) {
    this.#hub = hub
    this.#options = options

    this.#filter = compileConsumerFilter(subscription)
    const size = options.buffer?.size ?? DEFAULT_BUFFER_SIZE
    if (!(size >= 1)) {
      throw new ChainstreamError('InvalidArgument', `buffer.size must be at least 1, got ${String(size)}`)
    }
    this.#out = new FanOut({
      // An error listener that throws has nowhere left to report to.
      onListenerError: (error, event) => {
        if (event !== 'error') this.#out.emit('error', listenerError(error, String(event)))
      },
      bufferSize: size,
      overflow: bufferOverflow(options.buffer?.overflow),
      onDrop: () => {
        this.#own.dropped++
      },
      onOverflow: (error) => this.#finish(error),
    })
    this.#removeAbort = onAbort(options.signal, () => void this.close())
  }

  // ---------------------------------------------------------------------------------------------------
  // TonStream

  get state(): ConnectionState {
    return this.#stateValue
  }

  get subscription(): TonSubscription {
    return this.#filter.subscription
  }

  get counters(): StreamCounters {
    const shared = this.#hub.counters
    return {
      events: this.#own.events,
      backfilled: this.#own.backfilled,
      reconciled: this.#own.reconciled,
      bytes: shared?.bytes ?? 0,
      connects: shared?.connects ?? 0,
      reconnects: shared?.reconnects ?? 0,
      dropped: this.#own.dropped,
      errors: shared?.errors ?? 0,
      diagnostics: shared?.diagnostics ?? 0,
      lastEventAt: this.#own.lastEventAt === 0 ? undefined : this.#own.lastEventAt,
      subscribedAt: this.#stateValue === 'subscribed' ? shared?.subscribedAt : undefined,
    }
  }

  get error(): ChainstreamError | undefined {
    return this.#fatal
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.#out.closed
  }

  on<K extends TonEventType>(type: K, handler: TonEventHandler<K>, filter?: HandlerFilter): () => void
  on<K extends keyof TonStreamEvents>(event: K, listener: TonStreamEvents[K]): () => void
  on(name: string, listener: (...args: never[]) => unknown, filter?: HandlerFilter): () => void {
    if (isTonEventType(name)) {
      const compiled = compileHandler(
        name,
        listener as TonEventHandler<typeof name>,
        filter,
        this.#filter.subscription.minFinality,
      )
      // One listener per handler: each one's exceptions are isolated and reported.
      return this.#out.on('event', (event) => compiled(event, this.#filter.subscription.minFinality))
    }
    return this.#out.on(name as keyof TonStreamEvents, listener as TonStreamEvents[keyof TonStreamEvents])
  }

  update(change: TonStreamUpdate): Promise<void> {
    return this.#change((current) => applySubscriptionChange(current, change))
  }

  unsubscribe(remove: TonUnsubscribe): Promise<void> {
    return this.#change((current) => {
      const next = removeFromSubscription(current, remove)
      if (this.#options.transport === 'sse' && isIdleSubscription(next)) {
        throw new ChainstreamError(
          'InvalidSubscription',
          'This unsubscribe would leave nothing to stream, and an SSE stream cannot exist without a subscription: close() the stream instead, or update() it with new addresses or traces',
          { isRetryable: false },
        )
      }
      return next
    })
  }

  waitSubscribed(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return this.#subscribedWaiters.wait(options)
  }

  start(): void {
    if (this.#started || this.#stateValue === 'closed') return
    this.#started = true
    // Deferred by a microtask so listeners attached right after creation see `connecting` too.
    queueMicrotask(() => {
      if (this.#stateValue === 'closed') return
      this.#setState('connecting')
      // Joining resolves through `applied()`; a refusal of the first subscription ends this stream.
      this.#hub.join(this).catch((error: unknown) => {
        for (const waiter of this.#joinWaiters.splice(0)) waiter.reject(error)
        this.#finish(asError(error))
      })
    })
  }

  /** Closes this stream; resolves once its connection is closed too when it was the last one on it. */
  async close(): Promise<void> {
    if (this.#stateValue === 'closed') return this.#leaving
    this.#finish(undefined)
    return this.#leaving
  }

  [Symbol.asyncIterator](): AsyncIterator<TonEvent> {
    return this.#out.iterator()
  }

  // ---------------------------------------------------------------------------------------------------
  // HubMember

  applied(): void {
    if (this.#stateValue === 'closed') return
    this.#joined = true
    for (const waiter of this.#joinWaiters.splice(0)) waiter.resolve()
    if (this.#hub.state === 'subscribed') this.#setState('subscribed')
  }

  deliver(event: TonEvent): void {
    if (!this.#joined) return
    if (
      event.type === 'trace_invalidated' &&
      this.#options.shownElsewhere?.(event.trace_external_hash_norm, this.#filter.subscription)
    ) {
      this.#memory.remember(event.trace_external_hash_norm)
    }
    const mine = eventForConsumer(event, this.#filter, this.#memory)
    if (!mine) return
    this.#own.events++
    if (mine.source === 'backfill' || mine.source === 'snapshot') this.#own.backfilled++
    else if ((mine.source as string) === 'reconciled') this.#own.reconciled++
    this.#own.lastEventAt = Date.now()
    this.#out.emit('event', mine)
    this.#out.push(mine)
  }

  stateChanged(state: ConnectionState): void {
    // `subscribed` is this consumer's own: it comes when the server has its subscription.
    if (state === 'subscribed' && !this.#joined) return
    if (state === 'closed') return // `ended` says how
    this.#setState(state)
  }

  reportError(error: ChainstreamError): void {
    this.#out.emit('error', error)
  }

  reportDiagnostic(diagnostic: Parameters<ChainStreamEvents<TonEvent>['diagnostic']>[0]): void {
    this.#out.emit('diagnostic', diagnostic)
  }

  reconnecting(info: Parameters<ChainStreamEvents<TonEvent>['reconnect']>[0]): void {
    this.#out.emit('reconnect', info)
  }

  ended(error: ChainstreamError | undefined): void {
    this.#finish(error, false)
  }

  // ---------------------------------------------------------------------------------------------------

  #change(next: (current: TonSubscription) => TonSubscription): Promise<void> {
    if (this.#stateValue === 'closed') return Promise.reject(this.closedError('update'))
    let subscription: TonSubscription
    try {
      subscription = next(this.#filter.subscription)
    } catch (error) {
      return Promise.reject(error)
    }
    const previous = this.#filter
    this.#filter = compileConsumerFilter(subscription)
    // Not started: the first join sends it, and its acknowledgement settles this change too.
    if (!this.#started) return new Promise((resolve, reject) => this.#joinWaiters.push({ resolve, reject }))
    return this.#hub.changed(this).catch((error: unknown) => {
      // The server refused the union: this consumer keeps what it had, unless it changed again since.
      if (this.#filter.subscription === subscription) this.#filter = previous
      throw error
    })
  }

  #setState(next: ConnectionState): void {
    const previous = this.#stateValue
    if (previous === next || previous === 'closed') return
    this.#stateValue = next
    this.#out.emit('state', next, previous)
    this.#subscribedWaiters.notify()
  }

  #finish(error: ChainstreamError | undefined, leave = true): void {
    if (this.#stateValue === 'closed') return
    this.#removeAbort()
    // Recorded before `closed` is announced: whoever waits learns the real reason.
    this.#fatal = error
    this.#setState('closed')
    this.#out.end(error)
    const reason = this.closedError('the subscription change was applied')
    for (const waiter of this.#joinWaiters.splice(0)) waiter.reject(reason)
    this.#out.emit('close', error)
    if (leave) this.#leaving = this.#hub.leave(this)
  }

  closedError(what: string): ChainstreamError {
    return closedError(this.#fatal, what)
  }
}

function asError(error: unknown): ChainstreamError {
  return error instanceof ChainstreamError
    ? error
    : new ChainstreamError('ConnectionClosed', String(error), { cause: error })
}
