import {
  type ChainStream,
  type ChainStreamEvents,
  ChainstreamError,
  type ConnectionState,
  type StreamCounters,
} from '@chainstream/core'
import { FanOut, SubscribedWaiters } from '@chainstream/core/provider'
import type { TonEvent } from '@chainstream/provider-toncenter'
import type { TonSubscription } from '@chainstream/provider-toncenter/protocol'
import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { ClientContext } from './client-context.js'
import { appliedSubject } from './demand.js'
import { retry } from './demand-lease.js'
import { FinalityGate } from './finality-gate.js'
import { scopeFromHeaders } from './invalidation-scope.js'
import type { Backend } from './nats-backend.js'

type Events = ChainStreamEvents<TonEvent, TonSubscription>

const NANOS = 1_000_000
/** The newest handled event is acknowledged this soon… */
const ACK_EVERY_MS = 50
/** …or after this many, whichever comes first. */
const ACK_EVERY_MESSAGES = 500
const decoder = new TextDecoder()

/**
 * The TON events of a relay as one upstream stream for a hub of `TonStream`s: it registers the hub's
 * union in the demand bucket, is `applied` when a relay says it follows that revision, and reads the
 * relay's TON subjects through a JetStream consumer — durable for a named client (a restart resumes
 * after the last acknowledged event), removed with the stream otherwise. Every event is acknowledged
 * after the hub's streams handled it. The hub trims the shared events to each stream.
 */
export class RelayTonUpstream implements ChainStream<TonEvent, TonSubscription> {
  private current: TonSubscription
  private stateValue: ConnectionState = 'idle'
  private readonly out: FanOut<TonEvent, Events>
  private readonly waiters = new SubscribedWaiters(this)
  private readonly gate = new FinalityGate()
  private readonly own = { events: 0, connects: 0, errors: 0, lastEventAt: 0, subscribedAt: 0, bytes: 0 }
  private fatal: ChainstreamError | undefined
  private messages: ConsumerMessages | undefined
  private applied: Subscription | undefined
  private ackedRevision = 0
  private readonly ackWaiters = new Map<number, { resolve: () => void; reject: (e: unknown) => void }[]>()
  private changes: Promise<void> = Promise.resolve()
  private started = false
  private unacked: JsMsg | undefined
  private unackedCount = 0
  private ackTimer: NodeJS.Timeout | undefined
  private acking: Promise<void> = Promise.resolve()
  private acksGivenUp = false

  constructor(
    private readonly context: ClientContext,
    subscription: TonSubscription,
  ) {
    this.current = subscription
    this.out = new FanOut({
      onListenerError: (error, event) => {
        if (event !== 'error') this.reportError(error)
      },
      bufferSize: 10_000,
      overflow: 'dropOldest',
    })
  }

  get state(): ConnectionState {
    return this.stateValue
  }

  get subscription(): TonSubscription {
    return this.current
  }

  get counters(): StreamCounters {
    return {
      events: this.own.events,
      backfilled: 0,
      reconciled: 0,
      bytes: this.own.bytes,
      connects: this.own.connects,
      reconnects: 0,
      dropped: 0,
      errors: this.own.errors,
      diagnostics: 0,
      lastEventAt: this.own.lastEventAt || undefined,
      subscribedAt: this.stateValue === 'subscribed' ? this.own.subscribedAt : undefined,
    }
  }

  get error(): ChainstreamError | undefined {
    return this.fatal
  }

  get closed(): Promise<ChainstreamError | undefined> {
    return this.out.closed
  }

  get session(): undefined {
    return undefined
  }

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    return this.out.on(event, listener)
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.out.off(event, listener)
  }

  waitSubscribed(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void> {
    return this.waiters.wait(options)
  }

  closedError(what: string): ChainstreamError {
    return (
      this.fatal ?? new ChainstreamError('Closed', `The relay stream was closed before ${what} completed`)
    )
  }

  [Symbol.asyncIterator](): AsyncIterator<TonEvent> {
    return this.out.iterator()
  }

  /** NATS reconnects by itself; there is no connection of this stream's own to restart. */
  restart(): void {}

  start(): void {
    if (this.started || this.stateValue === 'closed') return
    this.started = true
    this.setState('connecting')
    this.changes = this.open().catch((error: unknown) => this.finish(asError(error)))
  }

  update(change: (current: TonSubscription) => TonSubscription): Promise<void> {
    if (this.stateValue === 'closed') return Promise.reject(this.closedError('the update'))
    const next = change(this.current)
    if (!this.started) {
      this.current = next
      return Promise.resolve()
    }
    const applied = this.changes.then(async () => {
      if (this.stateValue === 'closed') throw this.closedError('the update')
      await this.register(next)
      this.current = next
      this.out.emit('applied', next)
    })
    this.changes = applied.catch(() => {})
    return applied
  }

  async close(): Promise<void> {
    if (this.stateValue === 'closed') return
    this.finish(undefined)
    const backend = await this.context.backend.catch(() => undefined)
    this.messages?.stop()
    this.applied?.unsubscribe()
    if (!backend) return
    // The acknowledgements sent so far reach the server before anything else closes (within reason).
    const timer = setTimeout(() => {
      this.acksGivenUp = true
    }, 10_000)
    await this.flushAcks(backend.nc)
    clearTimeout(timer)
    await backend.nc.flush().catch(() => {})
    if (!this.context.name) {
      await this.context.lease.remove(this.demandKey).catch(() => {})
      await backend.jsm.consumers.delete(backend.names.stream, this.consumerName).catch(() => {})
    }
  }

  private get demandKey(): string {
    return `ton.${this.context.client}`
  }

  private get consumerName(): string {
    return `${this.context.client}-ton`
  }

  private async open(): Promise<void> {
    const backend = await this.context.backend
    if (this.isClosed()) return
    this.listenForAcks(backend)
    await this.ensureConsumer(backend)
    const subscription = this.current
    await this.register(subscription)
    if (this.isClosed()) return
    this.own.connects++
    this.own.subscribedAt = Date.now()
    this.out.emit('applied', subscription)
    this.setState('subscribed')
    // Reading runs on its own: changes of the subscription queue behind the opening only.
    this.consume(backend).catch((error: unknown) => this.finish(asError(error)))
  }

  private async ensureConsumer(backend: Backend): Promise<void> {
    const { jsm, names } = backend
    try {
      await jsm.consumers.info(names.stream, this.consumerName)
      return
    } catch {
      // created below
    }
    await jsm.consumers.add(names.stream, {
      durable_name: this.consumerName,
      filter_subject: `${names.prefix}.ton.>`,
      ack_policy: AckPolicy.All,
      // Only what is published from now on: the relay starts following this client's demand after this.
      deliver_policy: DeliverPolicy.New,
      ack_wait: 60_000 * NANOS,
      max_ack_pending: 20_000,
      // A client without a name cannot come back for its consumer: the server removes it when unused.
      ...(this.context.name ? {} : { inactive_threshold: Math.max(60_000, this.context.leaseMs) * NANOS }),
    })
  }

  private listenForAcks(backend: Backend): void {
    this.applied = backend.nc.subscribe(appliedSubject(backend.names.prefix, this.context.client), {
      callback: (error, message) => {
        if (error) return
        let body: { revision?: number; error?: string }
        try {
          body = message.json()
        } catch {
          return
        }
        const revision = Number(body.revision)
        if (!Number.isFinite(revision)) return
        if (body.error !== undefined) {
          const refusal = new ChainstreamError('InvalidSubscription', `The relay refused: ${body.error}`)
          for (const waiter of this.ackWaiters.get(revision) ?? []) waiter.reject(refusal)
          this.ackWaiters.delete(revision)
          return
        }
        if (revision > this.ackedRevision) this.ackedRevision = revision
        for (const [waited, list] of this.ackWaiters) {
          if (waited > this.ackedRevision) continue
          this.ackWaiters.delete(waited)
          for (const waiter of list) waiter.resolve()
        }
      },
    })
  }

  /** Puts the demand and waits until a relay follows that revision (or a later one). */
  private async register(subscription: TonSubscription): Promise<void> {
    const revision = await this.context.lease.set(this.demandKey, {
      kind: 'ton',
      leaseMs: this.context.leaseMs,
      subscription,
    })
    if (revision <= this.ackedRevision) return
    await new Promise<void>((resolve, reject) => {
      const list = this.ackWaiters.get(revision) ?? []
      list.push({ resolve, reject })
      this.ackWaiters.set(revision, list)
    })
  }

  private async consume(backend: Backend): Promise<void> {
    const consumer = await backend.js.consumers.get(backend.names.stream, this.consumerName)
    if (this.isClosed()) return
    const messages = await consumer.consume({ max_messages: 1_000 })
    this.messages = messages
    for await (const message of messages) {
      if (this.isClosed()) break
      let event: TonEvent
      try {
        event = JSON.parse(decoder.decode(message.data)) as TonEvent
      } catch (error) {
        this.reportError(error)
        message.term()
        continue
      }
      this.own.bytes += message.data.length
      if (this.gate.admit(event)) {
        this.own.events++
        this.own.lastEventAt = Date.now()
        const scope =
          event.type === 'trace_invalidated' && message.headers
            ? scopeFromHeaders((name) => message.headers?.get(name) ?? '')
            : undefined
        if (scope && event.type === 'trace_invalidated')
          this.context.invalidations.set(event.trace_external_hash_norm, scope)
        try {
          this.out.emit('event', event)
          this.out.push(event)
        } finally {
          if (scope && event.type === 'trace_invalidated')
            this.context.invalidations.delete(event.trace_external_hash_norm)
        }
      }
      this.acknowledge(message, backend.nc)
    }
  }

  /**
   * Acknowledgements are cumulative (`ack_policy: all`): acknowledging one acknowledges everything before
   * it. The newest handled message is acknowledged within {@link ACK_EVERY_MS} (or every
   * {@link ACK_EVERY_MESSAGES}), as a request the server answers once it has it, and again until it
   * does: an acknowledgement lost while NATS restarts would otherwise bring events back once `ack_wait`
   * is over — possibly to the next process of this consumer, which has no memory of them.
   */
  private acknowledge(message: JsMsg, nc: NatsConnection): void {
    this.unacked = message
    this.unackedCount++
    if (this.unackedCount >= ACK_EVERY_MESSAGES) void this.flushAcks(nc)
    else this.ackTimer ??= setTimeout(() => void this.flushAcks(nc), ACK_EVERY_MS)
  }

  private flushAcks(nc: NatsConnection): Promise<void> {
    clearTimeout(this.ackTimer)
    this.ackTimer = undefined
    const message = this.unacked
    this.unacked = undefined
    this.unackedCount = 0
    if (!message) return this.acking
    const reply = (message as JsMsg & { readonly reply: string }).reply
    this.acking = this.acking.then(() =>
      retry(
        () => nc.request(reply, '+ACK', { timeout: 5_000 }).then(() => undefined),
        () => this.acksGivenUp || this.unacked !== undefined,
      ).catch(() => {}),
    )
    return this.acking
  }

  private isClosed(): boolean {
    return this.stateValue === 'closed'
  }

  private reportError(error: unknown): void {
    this.own.errors++
    this.out.emit('error', asError(error))
  }

  private setState(next: ConnectionState): void {
    const previous = this.stateValue
    if (previous === next || previous === 'closed') return
    this.stateValue = next
    this.out.emit('state', next, previous)
    this.waiters.notify()
  }

  private finish(error: ChainstreamError | undefined): void {
    if (this.stateValue === 'closed') return
    this.fatal = error
    this.setState('closed')
    const reason = this.closedError('the relay followed the subscription')
    for (const list of this.ackWaiters.values()) for (const waiter of list) waiter.reject(reason)
    this.ackWaiters.clear()
    this.out.end(error)
    this.out.emit('close', error)
  }
}

function asError(error: unknown): ChainstreamError {
  return error instanceof ChainstreamError
    ? error
    : new ChainstreamError('ConnectionClosed', error instanceof Error ? error.message : String(error), {
        cause: error,
      })
}
