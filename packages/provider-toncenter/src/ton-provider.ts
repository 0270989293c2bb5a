import {
  type ChainStream,
  ChainstreamError,
  type ConnectContext,
  type ConnectRequest,
  type Decoded,
  type Diagnostic,
  type FetchLike,
  type InboundFrame,
  isChainstreamError,
  type ProviderSession,
  type RecoverContext,
  type StreamProviderV1,
  type WebSocketConstructor,
  type WebSocketKeepalive,
} from '@chainstream/core'
import { FinalityGate } from './finality-gate.js'
import type { KeyPool } from './key-pool.js'
import { isKnownActionType } from './protocol/action-types.js'
import { classifyTonError, classifyWsErrorFrame, type WsErrorContext } from './protocol/classify-error.js'
import { decodeTonFrame } from './protocol/decode-frame.js'
import { meetsFinality } from './protocol/event-types.js'
import type { TonNotification } from './protocol/notifications.js'
import {
  applySubscriptionChange,
  isIdleSubscription,
  needsReconnectToApply,
  removeFromSubscription,
  type TonSubscription,
  type TonSubscriptionChange,
  toWireSubscription,
} from './protocol/subscription.js'
import {
  createRequestIds,
  isPongText,
  pingMessage,
  subscribeMessage,
  unsubscribeMessage,
} from './protocol/ws-messages.js'
import type { GapRecovery } from './recovery/gap-recovery.js'
import { type TonEvent, type TonEventSource, withSource } from './ton-event.js'

/** How a TON provider authenticates: as a header, or as a query parameter (browsers cannot set WS headers). */
export interface TonAuth {
  /** @default 'header' */
  via: 'header' | 'query'
  /** The header carrying the key (`{ 'X-API-Key': key }`, `{ Authorization: 'Bearer …' }`). */
  header: (key: string) => Record<string, string>
  /** The query parameter name (`api_key`, `token`). */
  queryParam: string
}

/** Everything that differs between TON Center and TonAPI, plus the stream's own settings. */
export interface TonProviderConfig {
  providerId: string
  providerName: string
  transport: 'sse' | 'websocket'
  sseUrl: string
  wsUrl: string
  keys: KeyPool
  auth: TonAuth
  headers: Record<string, string>
  fetch: FetchLike | undefined
  WebSocket: WebSocketConstructor | undefined
  subscription: TonSubscription
  pingIntervalMs: number
  pongTimeoutMs: number
  subscribeTimeoutMs: number
  keepAllSnapshots: boolean
  /** Created by the caller around this provider's gate; undefined when recovery is off. */
  recovery: ((gate: FinalityGate) => GapRecovery) | undefined
}

/**
 * The TON Streaming v2 provider: a codec (frames ↔ typed events) and a policy (auth, key rotation, which
 * errors are fatal, the current subscription, recovery) for core's stream engine. One instance per stream.
 */
export class TonProvider implements StreamProviderV1<TonEvent> {
  readonly specificationVersion = 'v1'
  readonly providerId: string
  readonly keepalive?: WebSocketKeepalive
  readonly gate: FinalityGate
  readonly recovery: GapRecovery | undefined
  private current: TonSubscription
  /** Bumped on every change of `current`. */
  private version = 0
  /** The version the server has now (set when a subscription is acknowledged). */
  private applied = -1
  /** The version the connection being opened subscribes with. */
  private opening = 0
  private readonly appliedWaiters = new Set<{
    version: number
    resolve: () => void
    reject: (e: unknown) => void
  }>()
  private readonly ids = createRequestIds()
  private readonly warnedActionTypes = new Set<string>()
  private queue: Promise<unknown> = Promise.resolve()
  private stream: ChainStream<TonEvent> | undefined

  constructor(private readonly config: TonProviderConfig) {
    this.providerId = config.providerId
    this.current = config.subscription
    this.gate = new FinalityGate({ keepAllSnapshots: config.keepAllSnapshots })
    this.recovery = config.recovery?.(this.gate)
    if (config.transport === 'websocket' && config.pingIntervalMs > 0) {
      this.keepalive = {
        intervalMs: config.pingIntervalMs,
        timeoutMs: config.pongTimeoutMs,
        ping: () => pingMessage(this.ids('ping')),
        isPong: isPongText,
      }
    }
  }

  /** The subscription as it is now (what the next connection sends). */
  get subscription(): TonSubscription {
    return this.current
  }

  /** Connects the provider to the engine it serves (for `update()` and `unsubscribe()`). */
  attach(stream: ChainStream<TonEvent>): void {
    this.stream = stream
    stream.on('close', (error) => {
      const reason =
        error ??
        new ChainstreamError('Closed', 'The stream was closed before the subscription change was applied')
      for (const waiter of this.appliedWaiters) waiter.reject(reason)
      this.appliedWaiters.clear()
    })
  }

  // ---------------------------------------------------------------------------------------------------
  // StreamProviderV1

  open(context: ConnectContext): ConnectRequest {
    if (context.attempt > 0) this.recovery?.watermarks.markGapStart()
    this.opening = this.version
    const key = this.config.keys.current
    const { auth, transport } = this.config
    const headers: Record<string, string> = { ...this.config.headers }
    const base = transport === 'sse' ? this.config.sseUrl : this.config.wsUrl
    let url = base
    if (key !== undefined) {
      if (auth.via === 'query') {
        const withKey = new URL(base)
        withKey.searchParams.set(auth.queryParam, key)
        url = withKey.href
      } else {
        Object.assign(headers, auth.header(key))
      }
    }
    if (transport === 'sse') {
      if (isIdleSubscription(this.current)) {
        throw new ChainstreamError(
          'InvalidSubscription',
          'Nothing left to subscribe to: an SSE stream needs addresses or traces',
          {
            isRetryable: false,
          },
        )
      }
      return {
        transport: 'sse',
        url,
        method: 'POST',
        headers,
        body: toWireSubscription(this.current),
        ...(this.config.fetch ? { fetch: this.config.fetch } : {}),
      }
    }
    return {
      transport: 'websocket',
      url,
      headers,
      ...(this.config.WebSocket ? { WebSocket: this.config.WebSocket } : {}),
    }
  }

  async subscribe(session: ProviderSession<TonEvent>): Promise<void> {
    const timeoutMs = this.config.subscribeTimeoutMs
    if (session.transport === 'sse') {
      // The body was fixed when the request was opened.
      const version = this.opening
      await session.waitForSubscribed({ timeoutMs })
      this.config.keys.succeeded()
      this.markApplied(version)
      return
    }
    // A change made while this was in flight is sent right after (subscribe replaces the whole thing).
    let version: number
    do {
      version = this.version
      if (isIdleSubscription(this.current)) break
      const id = this.ids('subscribe')
      await session.request(subscribeMessage(id, this.current), id, { timeoutMs })
    } while (version !== this.version)
    this.config.keys.succeeded()
    this.markApplied(version)
  }

  async recover(session: ProviderSession<TonEvent>, context: RecoverContext): Promise<void> {
    if (!this.recovery) return
    await this.recovery.recover(context.reconnect, context.signal, {
      subscription: () => this.current,
      deliver: (notification, source) => {
        for (const decoded of this.admit(notification, source)) {
          if (decoded.kind === 'event') session.emit(decoded.event)
          else if (decoded.kind === 'diagnostic') session.diagnostic(decoded.diagnostic)
        }
      },
      diagnostic: (diagnostic) => session.diagnostic(diagnostic),
    })
  }

  decode(frame: InboundFrame): Decoded<TonEvent> | readonly Decoded<TonEvent>[] {
    const text = frame.transport === 'sse' ? frame.message.data : frame.data
    const decoded = decodeTonFrame(text)
    switch (decoded.kind) {
      case 'notification':
        return this.admit(decoded.notification, 'stream')
      case 'response': {
        const provider = this.config.providerName
        if (decoded.error !== undefined) {
          if (decoded.id === undefined) {
            return { kind: 'error', error: classifyWsErrorFrame(decoded.error, 'stream', { provider }) }
          }
          return {
            kind: 'response',
            id: decoded.id,
            error: classifyWsErrorFrame(decoded.error, contextOf(decoded.id), { provider }),
          }
        }
        if (decoded.status === 'pong') return { kind: 'heartbeat' }
        if (decoded.status === 'subscribed' && (frame.transport === 'sse' || decoded.id === undefined)) {
          return {
            kind: 'subscribed',
            ...(decoded.id !== undefined ? { id: decoded.id } : {}),
            data: decoded,
          }
        }
        if (decoded.id !== undefined) return { kind: 'response', id: decoded.id, data: decoded }
        return { kind: 'ignore' }
      }
      case 'unknown-type':
        return diagnostic({
          code: 'unknown-event-type',
          message: `Unknown TON notification type "${decoded.type}" ignored (a newer server?)`,
          data: decoded.value,
        })
      case 'invalid':
        return diagnostic({
          code: 'invalid-frame',
          message: `Ignored a frame: ${decoded.reason}`,
          data: decoded.value,
        })
    }
  }

  classifyError(error: ChainstreamError): ChainstreamError {
    const classified = classifyTonError(error, { provider: this.config.providerName })
    if (classified.code === 'ConnectionLimit') return this.config.keys.onConnectionLimit(classified)
    return classified
  }

  // ---------------------------------------------------------------------------------------------------
  // Dynamic subscription

  /** Replaces the given fields of the subscription and resolves when the server has the new one. */
  update(change: TonSubscriptionChange): Promise<void> {
    return this.serial(async () => {
      const previous = this.current
      const next = applySubscriptionChange(previous, change)
      await this.apply(
        previous,
        next,
        (id) => subscribeMessage(id, next),
        'subscribe',
        needsReconnectToApply(previous, next),
      )
    })
  }

  /** Removes addresses and/or trace hashes and resolves when the server has applied it. */
  unsubscribe(remove: {
    addresses?: readonly string[]
    traceExternalHashNorms?: readonly string[]
  }): Promise<void> {
    return this.serial(async () => {
      const previous = this.current
      const next = removeFromSubscription(previous, remove)
      if (this.config.transport === 'sse' && isIdleSubscription(next)) {
        throw new ChainstreamError(
          'InvalidSubscription',
          'This unsubscribe would leave nothing to stream, and an SSE stream cannot exist without a subscription: close() the stream instead, or update() it with new addresses or traces',
          { isRetryable: false },
        )
      }
      const gone = {
        addresses: previous.addresses.filter((a) => !next.addresses.includes(a)),
        traceExternalHashNorms: previous.traceExternalHashNorms.filter(
          (h) => !next.traceExternalHashNorms.includes(h),
        ),
      }
      await this.apply(previous, next, (id) => unsubscribeMessage(id, gone), 'unsubscribe', false)
    })
  }

  private async apply(
    previous: TonSubscription,
    next: TonSubscription,
    message: (id: string) => string,
    operation: 'subscribe' | 'unsubscribe',
    reconnect: boolean,
  ): Promise<void> {
    const stream = this.stream
    if (!stream || stream.state === 'closed') {
      throw stream?.error ?? new ChainstreamError('Closed', 'The stream is closed', { isRetryable: false })
    }
    this.current = next
    const version = ++this.version
    const removed = previous.addresses.filter((address) => !next.addresses.includes(address))
    this.recovery?.watermarks.forget(removed)
    const session = stream.session
    if (this.config.transport === 'sse' || reconnect) {
      // SSE cannot change a live subscription, and a WebSocket cannot clear action filters: reconnect
      // (with recovery covering the moment in between).
      stream.restart(`subscription ${operation === 'subscribe' ? 'updated' : 'reduced'}`)
      await this.waitApplied(version)
      return
    }
    if (!session || stream.state !== 'subscribed') {
      // Not connected now: the next connection subscribes with the current subscription.
      await this.waitApplied(version)
      return
    }
    const id = this.ids(operation)
    try {
      await session.request(message(id), id, { timeoutMs: this.config.subscribeTimeoutMs })
    } catch (error) {
      if (session.signal.aborted) {
        // The connection ended mid-request; the reconnect sends the new subscription.
        await this.waitApplied(version)
        return
      }
      if (isChainstreamError(error, 'RequestTimeout')) {
        // No answer is not a refusal: start over on a fresh connection, which subscribes with `next`.
        stream.restart(`${operation} not acknowledged`)
        await this.waitApplied(version)
        return
      }
      // The server refused and kept the previous subscription.
      this.current = previous
      this.markApplied(++this.version)
      throw error
    }
    this.markApplied(version)
    const added = next.addresses.filter((address) => !previous.addresses.includes(address))
    if (this.recovery && added.length > 0) {
      // New accounts start being followed now: record where, so a later gap is measured from here.
      this.recovery.baseline(added, session.signal).catch((error: unknown) => {
        if (!session.signal.aborted) {
          session.diagnostic({
            code: 'baseline-failed',
            message: `Could not record the starting point of ${added.length} new accounts for recovery: ${String(error)}`,
          })
        }
      })
    }
  }

  private markApplied(version: number): void {
    if (version > this.applied) this.applied = version
    for (const waiter of this.appliedWaiters) {
      if (waiter.version <= this.applied) {
        this.appliedWaiters.delete(waiter)
        waiter.resolve()
      }
    }
  }

  private waitApplied(version: number): Promise<void> {
    if (this.applied >= version) return Promise.resolve()
    return new Promise((resolve, reject) => this.appliedWaiters.add({ version, resolve, reject }))
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => {})
    return run
  }

  // ---------------------------------------------------------------------------------------------------

  /** The finality gate, then delivery as an event (live or recovered). */
  private admit(notification: TonNotification, source: TonEventSource): Decoded<TonEvent>[] {
    if (
      source !== 'stream' &&
      notification.type !== 'trace_invalidated' &&
      !meetsFinality(notification.finality, this.current.minFinality)
    ) {
      return []
    }
    const verdict = this.gate.admit(notification)
    if (!verdict.pass) {
      if (verdict.reason === 'duplicate') return []
      return [
        {
          kind: 'diagnostic',
          diagnostic: { code: 'stale-snapshot', message: verdict.message, data: notification },
        },
      ]
    }
    this.recovery?.watermarks.observe(notification)
    const out: Decoded<TonEvent>[] = [{ kind: 'event', event: withSource(notification, source) }]
    const actions =
      notification.type === 'actions'
        ? notification.actions
        : notification.type === 'trace'
          ? notification.actions
          : undefined
    if (actions) {
      for (const action of actions) {
        if (isKnownActionType(action.type) || this.warnedActionTypes.has(action.type)) continue
        this.warnedActionTypes.add(action.type)
        out.push({
          kind: 'diagnostic',
          diagnostic: {
            code: 'unknown-action-type',
            message: `Action type "${action.type}" is not one of the 22 documented ones; delivered as is (reported once)`,
          },
        })
      }
    }
    return out
  }
}

function diagnostic(value: Diagnostic): Decoded<TonEvent> {
  return { kind: 'diagnostic', diagnostic: value }
}

/** Request ids name their operation (`subscribe-3`), which says what an error answered. */
function contextOf(id: string): WsErrorContext {
  if (id.startsWith('unsubscribe-')) return 'unsubscribe'
  if (id.startsWith('ping-')) return 'ping'
  return 'subscribe'
}
