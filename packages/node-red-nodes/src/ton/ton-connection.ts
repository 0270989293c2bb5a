import type { TonEvent, TonStream, TonStreamOptions } from '@chainstream/provider-toncenter'
import { ConnectionStateMachine, type ConnectionStatus, shortReason } from '../connection/connection-state.js'
import type { TonConnector } from './ton-connector.js'
import { type CompiledUserFilter, compileFilter, eventForUser, TraceMemory } from './ton-event-filter.js'
import { type TonUnion, toStreamUpdate, unionKey, unionOf } from './ton-subscription-union.js'
import type { TonUserSubscription } from './ton-user-subscription.js'

/** A node (or a tracker watch) using a shared TON connection. */
export interface TonUser {
  /** The node id: registrations are counted by it. */
  readonly id: string
  /** An event this user subscribed to (already trimmed to its addresses, traces and finality). */
  onEvent(event: TonEvent): void
  /** Every change of the shared connection state, starting with the current one. */
  onStatus(status: ConnectionStatus): void
  /** A fatal error that closed the shared connection. */
  onError(error: unknown): void
}

/** Options of a {@link TonConnection}. */
export interface TonConnectionOptions {
  /**
   * How long the socket stays open after the last subscription went away. A redeploy stops the old
   * nodes before it starts the new ones: the linger lets the new ones take over the same socket.
   * @default 2_000
   */
  lingerMs?: number
  /** How long a subscription change may take to be applied before its promise rejects. @default 20_000 */
  applyTimeoutMs?: number
  /** Extra stream options (time-outs, reconnect policy); the subscription fields are always the union's. */
  streamOptions?: Omit<TonStreamOptions, 'transport' | 'types'>
}

interface Registration {
  readonly user: TonUser
  readonly memory: TraceMemory
  filter: CompiledUserFilter | undefined
}

/** What a connection holds now, for status texts and leak checks. */
export interface TonConnectionStats {
  /** Registered users. */
  readonly users: number
  /** Listeners on the shared state machine (one per user). */
  readonly statusListeners: number
  /** Whether a stream (a socket, or one being opened) exists. */
  readonly streamOpen: boolean
  /** Streams opened since the config node started. */
  readonly streamsOpened: number
  /** Listeners this connection holds on its stream (a constant per open stream). */
  readonly streamListeners: number
  /** The subscription the stream holds. */
  readonly union: TonUnion | undefined
}

/**
 * The one TON stream of a config node, shared by every node that uses it. It connects lazily when the
 * first user subscribes to something, subscribes to the union of what all users want (updated in place
 * as they come and go), trims each event back to what each user asked for, drives every user's status
 * from one state machine, and closes the socket shortly after the last subscription goes.
 */
export class TonConnection {
  readonly state = new ConnectionStateMachine()
  private readonly users = new Map<string, Registration>()
  private connector: TonConnector | undefined
  private stream: TonStream | undefined
  private streamListeners: (() => void)[] = []
  private appliedKey = ''
  private lingerTimer: ReturnType<typeof setTimeout> | undefined
  private readonly closing = new Set<Promise<void>>()
  private lastProblem: string | undefined
  private streamsOpened = 0
  private isClosed = false
  private readonly lingerMs: number
  private readonly applyTimeoutMs: number

  /**
   * @param createConnector builds the provider client; called on the first connection, so a
   * configuration error shows as a red status on the users instead of failing the config node.
   */
  constructor(
    private readonly createConnector: () => TonConnector,
    private readonly options: TonConnectionOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 2_000
    this.applyTimeoutMs = options.applyTimeoutMs ?? 20_000
  }

  /** The provider's name, once the connector exists. */
  get providerName(): string | undefined {
    return this.connector?.providerName
  }

  /** The connector (created on demand); throws the configuration error when there is one. */
  getConnector(): TonConnector {
    if (!this.connector) this.connector = this.createConnector()
    return this.connector
  }

  /** Adds a user (replacing a previous registration with the same id) and shows it the state. */
  register(user: TonUser): void {
    if (this.isClosed) {
      user.onStatus({ phase: 'error', reason: 'configuration closed', since: Date.now() })
      return
    }
    const previous = this.users.get(user.id)
    this.users.set(user.id, { user, memory: previous?.memory ?? new TraceMemory(), filter: previous?.filter })
    this.state.attach(user.id, (status) => user.onStatus(status))
  }

  /**
   * Sets what a user wants (`undefined`: nothing for now). Resolves once the server applied the merged
   * subscription; rejects when it refused it, when it could not be applied in time, or on a bad config.
   */
  setSubscription(userId: string, subscription: TonUserSubscription | undefined): Promise<void> {
    const registration = this.users.get(userId)
    if (!registration) return Promise.reject(new Error(`${userId} is not registered with this connection`))
    registration.filter = subscription ? compileFilter(subscription) : undefined
    return this.apply()
  }

  /** The subscription a user holds. */
  subscriptionOf(userId: string): TonUserSubscription | undefined {
    return this.users.get(userId)?.filter?.subscription
  }

  /** Removes a user: its listener goes at once, the socket after the linger if nobody needs it. */
  deregister(userId: string): Promise<void> {
    if (!this.users.delete(userId)) return Promise.resolve()
    this.state.detach(userId)
    return this.apply().catch(() => {})
  }

  stats(): TonConnectionStats {
    return {
      users: this.users.size,
      statusListeners: this.state.size,
      streamOpen: this.stream !== undefined,
      streamsOpened: this.streamsOpened,
      streamListeners: this.streamListeners.length,
      union: this.currentUnion(),
    }
  }

  /** Closes the stream now and forgets every user (the config node is closing). Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true
    this.cancelLinger()
    for (const id of this.users.keys()) this.state.detach(id)
    this.users.clear()
    this.closeStream()
    this.state.set('idle')
    await Promise.all([...this.closing])
  }

  private currentUnion(): TonUnion | undefined {
    const subscriptions = []
    for (const registration of this.users.values()) {
      if (registration.filter) subscriptions.push(registration.filter.subscription)
    }
    return unionOf(subscriptions)
  }

  private apply(): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('the configuration node is closed'))
    const union = this.currentUnion()
    if (!union) {
      if (this.stream) this.startLinger()
      else if (this.state.status.phase !== 'error') this.state.set('idle')
      return Promise.resolve()
    }
    this.cancelLinger()
    const key = unionKey(union)
    const stream = this.stream
    if (!stream) return this.open(union, key)
    if (key === this.appliedKey) return Promise.resolve()
    this.appliedKey = key
    return withTimeout(
      stream.update(toStreamUpdate(union)),
      this.applyTimeoutMs,
      'the subscription change',
    ).catch((error: unknown) => {
      // Not applied: the next change must send the union again.
      if (this.appliedKey === key) this.appliedKey = ''
      throw error
    })
  }

  private open(union: TonUnion, key: string): Promise<void> {
    let stream: TonStream
    try {
      stream = this.getConnector().openStream({ ...this.options.streamOptions, ...toStreamUpdate(union) })
    } catch (error) {
      this.state.set('error', shortReason(error))
      return Promise.reject(error)
    }
    this.streamsOpened++
    this.stream = stream
    this.appliedKey = key
    this.lastProblem = undefined
    this.state.set('connecting')
    this.streamListeners = [
      stream.on('event', (event) => this.dispatch(event)),
      stream.on('state', (state) => {
        if (stream !== this.stream) return
        if (state === 'subscribed') {
          this.lastProblem = undefined
          this.state.set('subscribed')
        } else if (state === 'reconnecting') this.state.set('reconnecting', this.lastProblem)
        else if (state === 'connecting' || state === 'idle') this.state.set('connecting')
      }),
      stream.on('error', (error) => {
        if (stream !== this.stream) return
        this.lastProblem = shortReason(error, 32)
        if (stream.state === 'reconnecting') this.state.set('reconnecting', this.lastProblem)
      }),
      stream.on('close', (error) => this.onClosed(stream, error)),
    ]
    return stream.waitSubscribed({ timeoutMs: this.applyTimeoutMs })
  }

  private onClosed(stream: TonStream, error: unknown): void {
    if (stream !== this.stream) return
    this.detachStream()
    if (error) {
      this.state.set('error', shortReason(error))
      for (const registration of [...this.users.values()]) {
        if (registration.filter) registration.user.onError(error)
      }
    } else {
      this.state.set('idle')
    }
  }

  private dispatch(event: TonEvent): void {
    for (const registration of this.users.values()) {
      if (!registration.filter) continue
      const picked = eventForUser(event, registration.filter, registration.memory)
      if (picked) registration.user.onEvent(picked)
    }
  }

  private startLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      if (!this.currentUnion()) {
        this.closeStream()
        this.state.set('idle')
      }
    }, this.lingerMs)
    this.lingerTimer.unref?.()
  }

  private cancelLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
  }

  private closeStream(): void {
    const stream = this.stream
    if (!stream) return
    this.detachStream()
    const closing = stream.close().catch(() => {})
    this.closing.add(closing)
    void closing.then(() => this.closing.delete(closing))
  }

  private detachStream(): void {
    for (const off of this.streamListeners) off()
    this.streamListeners = []
    this.stream = undefined
    this.appliedKey = ''
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was not applied within ${ms} ms`)), ms)
    timer.unref?.()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
