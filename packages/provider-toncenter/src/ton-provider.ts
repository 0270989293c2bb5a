import {
  ChainstreamError,
  type Diagnostic,
  type FetchLike,
  type WebSocketConstructor,
} from '@chainstream/core'
import type {
  ChangePlan,
  ConnectContext,
  ConnectRequest,
  Decoded,
  InboundFrame,
  ProviderSession,
  ProviderTransports,
  RecoverContext,
  StreamProviderV1,
  SubscribePlan,
  WebSocketKeepalive,
} from '@chainstream/core/provider'
import { sseTransport, webSocketTransport } from '@chainstream/core/provider'
import { FinalityGate } from './finality-gate.js'
import type { KeyPool } from './key-pool.js'
import { isKnownActionType } from './protocol/action-types.js'
import { classifyTonError, classifyWsErrorFrame, type WsErrorContext } from './protocol/classify-error.js'
import { decodeTonFrame } from './protocol/decode-frame.js'
import { meetsFinality } from './protocol/event-types.js'
import type { TonNotification } from './protocol/notifications.js'
import {
  isIdleSubscription,
  needsReconnectToApply,
  type TonSubscription,
  toWireSubscription,
} from './protocol/subscription.js'
import {
  createRequestIds,
  isPongFor,
  pingMessage,
  subscribeMessage,
  unsubscribeMessage,
} from './protocol/ws-messages.js'
import type { GapRecovery } from './recovery/gap-recovery.js'
import { markRepeat } from './repeated-snapshots.js'
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
 * errors are fatal, how a subscription is sent and changed, recovery) for core's stream engine, which owns
 * the subscription itself. One instance per stream.
 */
export class TonProvider implements StreamProviderV1<TonEvent, TonSubscription> {
  readonly specificationVersion = 'v1'
  readonly providerId: string
  /** Both: a TON stream's transport is an option. */
  readonly transports: ProviderTransports = { sse: sseTransport, websocket: webSocketTransport }
  readonly keepalive?: WebSocketKeepalive
  readonly gate: FinalityGate
  readonly recovery: GapRecovery | undefined
  /**
   * The subscription the server has (or, before the first acknowledgement, the initial one): recovery and
   * the finality filter of recovered events read it. The engine owns the desired one.
   */
  #current: TonSubscription
  readonly #ids = createRequestIds()
  readonly #warnedActionTypes = new Set<string>()

  readonly #config: TonProviderConfig

  constructor(config: TonProviderConfig) {
    this.#config = config

    this.providerId = config.providerId
    this.#current = config.subscription
    this.gate = new FinalityGate({ keepAllSnapshots: config.keepAllSnapshots })
    this.recovery = config.recovery?.(this.gate)
    if (config.transport === 'websocket' && config.pingIntervalMs > 0) {
      this.keepalive = {
        intervalMs: config.pingIntervalMs,
        timeoutMs: config.pongTimeoutMs,
        ping: () => pingMessage(this.#ids('ping')),
        isPong: isPongFor,
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // StreamProviderV1

  open(context: ConnectContext, subscription: TonSubscription): ConnectRequest {
    if (context.attempt > 0) this.recovery?.watermarks.markGapStart()
    const key = this.#config.keys.current
    const { auth, transport } = this.#config
    const headers: Record<string, string> = { ...this.#config.headers }
    const base = transport === 'sse' ? this.#config.sseUrl : this.#config.wsUrl
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
      if (isIdleSubscription(subscription)) {
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
        body: toWireSubscription(subscription),
        ...(this.#config.fetch ? { fetch: this.#config.fetch } : {}),
      }
    }
    return {
      transport: 'websocket',
      url,
      headers,
      ...(this.#config.WebSocket ? { WebSocket: this.#config.WebSocket } : {}),
    }
  }

  subscribe(subscription: TonSubscription, session: ProviderSession<TonEvent>): SubscribePlan {
    // SSE: the body carried the subscription and the server answers with `event: connected`.
    if (session.transport === 'sse') return { kind: 'ack' }
    // A new WebSocket has no subscription; with nothing to ask for there is nothing to acknowledge.
    if (isIdleSubscription(subscription)) return { kind: 'open' }
    const id = this.#ids('subscribe')
    return { kind: 'requests', requests: [{ id, data: subscribeMessage(id, subscription) }] }
  }

  change(from: TonSubscription, to: TonSubscription, session: ProviderSession<TonEvent>): ChangePlan {
    if (session.transport === 'sse') {
      // An SSE request's body cannot change: re-open with the new one; recovery covers the moment between.
      return { kind: 'reconnect', reason: 'subscription changed (SSE re-opens)' }
    }
    if (needsReconnectToApply(from, to)) {
      // The server replaces action filters only when non-empty: clearing one needs a new connection.
      return { kind: 'reconnect', reason: 'action filter cleared (needs a new connection)' }
    }
    // Sets, not `includes`: a tracker's set holds thousands of traces, and every ended track changes it.
    const gone = {
      addresses: missingFrom(from.addresses, to.addresses),
      traceExternalHashNorms: missingFrom(from.traceExternalHashNorms, to.traceExternalHashNorms),
    }
    const onlyRemoves =
      isIdleSubscription(to) ||
      (sameSettings(from, to) &&
        missingFrom(to.addresses, from.addresses).length === 0 &&
        missingFrom(to.traceExternalHashNorms, from.traceExternalHashNorms).length === 0)
    if (onlyRemoves) {
      if (gone.addresses.length === 0 && gone.traceExternalHashNorms.length === 0) return { kind: 'none' }
      const id = this.#ids('unsubscribe')
      return { kind: 'requests', requests: [{ id, data: unsubscribeMessage(id, gone) }] }
    }
    // `subscribe` replaces the whole subscription on the server.
    const id = this.#ids('subscribe')
    return { kind: 'requests', requests: [{ id, data: subscribeMessage(id, to) }] }
  }

  subscribed(
    subscription: TonSubscription,
    session: ProviderSession<TonEvent>,
    previous?: TonSubscription,
  ): void {
    this.#current = subscription
    if (!previous) {
      this.#config.keys.succeeded()
      return
    }
    const removed = missingFrom(previous.addresses, subscription.addresses)
    if (removed.length > 0) this.recovery?.watermarks.forget(removed)
    const added = missingFrom(subscription.addresses, previous.addresses)
    if (this.recovery && added.length > 0) {
      // New accounts start being followed now: record where, so a later gap is measured from here.
      session.track(
        this.recovery.baseline(added, session.signal).catch((error: unknown) => {
          if (!session.signal.aborted) {
            session.diagnostic({
              code: 'baseline-failed',
              message: `Could not record the starting point of ${added.length} new accounts for recovery: ${String(error)}`,
            })
          }
        }),
      )
    }
  }

  async recover(session: ProviderSession<TonEvent>, context: RecoverContext): Promise<void> {
    if (!this.recovery) return
    // Periodic work (re-checks, reconciliation) lives on this connection: it stops with `context.signal`.
    await this.recovery.recover(context.reconnect, context.signal, {
      subscription: () => this.#current,
      deliver: (notification, source) => {
        // Once the connection ended nothing reaches the user, so the gate must not record it as delivered.
        if (session.signal.aborted) return
        const origin = source === 'reconciled' ? 'reconciled' : 'recovered'
        const admitted = this.#admit(notification, source)
        for (const decoded of Array.isArray(admitted) ? admitted : [admitted]) {
          if (decoded.kind === 'event') session.emit(decoded.event, origin)
          else if (decoded.kind === 'diagnostic') session.diagnostic(decoded.diagnostic)
        }
      },
      diagnostic: (diagnostic) => {
        if (!session.signal.aborted) session.diagnostic(diagnostic)
      },
      track: (work) => session.track(work),
    })
  }

  decode(frame: InboundFrame): Decoded<TonEvent> | readonly Decoded<TonEvent>[] {
    const text = frame.transport === 'sse' ? frame.message.data : frame.data
    const decoded = decodeTonFrame(text)
    switch (decoded.kind) {
      case 'notification':
        return this.#admit(decoded.notification, 'stream')
      case 'response': {
        const provider = this.#config.providerName
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
    const classified = classifyTonError(error, { provider: this.#config.providerName })
    if (classified.code === 'ConnectionLimit') return this.#config.keys.onConnectionLimit(classified)
    return classified
  }

  /**
   * The finality gate, then delivery as an event (live or recovered): one result, or a list when a
   * diagnostic comes with the event (no list per event on the hot path).
   */
  #admit(notification: TonNotification, source: TonEventSource): Decoded<TonEvent> | Decoded<TonEvent>[] {
    if (
      source !== 'stream' &&
      notification.type !== 'trace_invalidated' &&
      !meetsFinality(notification.finality, this.#current.minFinality)
    ) {
      return IGNORE
    }
    // Before the verdict: a repeat still tells recovery what the server sent on this connection, and when.
    this.recovery?.observe(notification, source)
    const verdict = this.gate.admit(notification, source === 'stream')
    if (!verdict.pass) {
      if (verdict.reason === 'duplicate') return IGNORE
      // API v3 lagging behind what the stream already delivered is expected, not an anomaly.
      if (source !== 'stream' && notification.type !== 'trace_invalidated') return IGNORE
      return {
        kind: 'diagnostic',
        diagnostic: { code: 'stale-snapshot', message: verdict.message, data: notification },
      }
    }
    const event: Decoded<TonEvent> = { kind: 'event', event: withSource(notification, source) }
    if (verdict.repeats !== undefined) markRepeat(event.event, verdict.repeats)
    const actions =
      notification.type === 'actions'
        ? notification.actions
        : notification.type === 'trace'
          ? notification.actions
          : undefined
    if (!actions) return event
    let out: Decoded<TonEvent>[] | undefined
    for (const action of actions) {
      if (isKnownActionType(action.type) || this.#warnedActionTypes.has(action.type)) continue
      this.#warnedActionTypes.add(action.type)
      out ??= [event]
      out.push({
        kind: 'diagnostic',
        diagnostic: {
          code: 'unknown-action-type',
          message: `Action type "${action.type}" is not one of the 22 documented ones; delivered as is (reported once)`,
        },
      })
    }
    return out ?? event
  }
}

const IGNORE: Decoded<TonEvent> = { kind: 'ignore' }

/** Everything but the addresses and traces is the same (an `unsubscribe` can change nothing else). */
function sameSettings(a: TonSubscription, b: TonSubscription): boolean {
  return (
    a.minFinality === b.minFinality &&
    a.includeAddressBook === b.includeAddressBook &&
    a.includeMetadata === b.includeMetadata &&
    sameList(a.types, b.types) &&
    sameList(a.actionTypes, b.actionTypes) &&
    sameList(a.supportedActionTypes, b.supportedActionTypes)
  )
}

/** The items of `list` that `other` lacks, in one pass over each. */
function missingFrom(list: readonly string[], other: readonly string[]): string[] {
  if (list.length === 0) return []
  const present = new Set(other)
  return list.filter((item) => !present.has(item))
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item))
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
