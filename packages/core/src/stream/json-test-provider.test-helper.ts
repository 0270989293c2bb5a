/**
 * A minimal provider for the engine's own tests: JSON events over SSE (a `connected` event acknowledges the
 * subscription) or over WebSocket (a `subscribe` request acknowledged by id, `ping`/`pong` keepalive).
 * It records the order in which the engine calls its hooks.
 */
import { ChainstreamError } from '../errors/chainstream-error.js'
import type {
  ConnectContext,
  Decoded,
  InboundFrame,
  ProviderSession,
  RecoverContext,
  StreamProviderV1,
} from '../provider/provider-v1.js'
import { sseTransport } from '../sse/sse-stream-transport.js'
import { webSocketTransport } from '../websocket/websocket-stream-transport.js'

export interface TestEvent {
  n: number
  backfill?: boolean
}

export interface JsonTestProviderOptions {
  url: string
  transport?: 'sse' | 'websocket'
  headers?: Record<string, string>
  /** Events recovery delivers after every reconnect. */
  recoverEvents?: (context: RecoverContext) => TestEvent[]
  isComplete?: () => boolean
  keepalive?: { intervalMs: number; timeoutMs: number }
  noSubscribe?: boolean
}

export interface JsonTestProvider extends StreamProviderV1<TestEvent> {
  calls: string[]
  contexts: ConnectContext[]
  recoverContexts: Omit<RecoverContext, 'signal' | 'subscription'>[]
}

export function jsonTestProvider(options: JsonTestProviderOptions): JsonTestProvider {
  const transport = options.transport ?? 'sse'
  let nextId = 0
  const provider: JsonTestProvider = {
    specificationVersion: 'v1',
    providerId: 'json-test',
    transports: { sse: sseTransport, websocket: webSocketTransport },
    calls: [],
    contexts: [],
    recoverContexts: [],
    open(context) {
      provider.calls.push('open')
      provider.contexts.push(context)
      return transport === 'sse'
        ? {
            transport: 'sse',
            url: options.url,
            method: 'POST',
            body: { topics: ['all'] },
            headers: options.headers ?? {},
          }
        : { transport: 'websocket', url: options.url, headers: options.headers ?? {} }
    },
    decode(frame: InboundFrame): Decoded<TestEvent> {
      const text = frame.transport === 'sse' ? frame.message.data : frame.data
      let value: Record<string, unknown>
      try {
        value = JSON.parse(text) as Record<string, unknown>
      } catch {
        return { kind: 'diagnostic', diagnostic: { code: 'bad-json', message: 'not JSON' } }
      }
      if (frame.transport === 'sse' && frame.message.event === 'connected')
        return { kind: 'subscribed', data: value }
      if (typeof value.id === 'string' && typeof value.status === 'string') {
        return { kind: 'response', id: value.id, data: value }
      }
      if (typeof value.error === 'string') {
        return {
          kind: 'error',
          error: new ChainstreamError('ServerError', value.error, { isRetryable: value.retryable === true }),
        }
      }
      if (typeof value.n === 'number') return { kind: 'event', event: { n: value.n } }
      return { kind: 'diagnostic', diagnostic: { code: 'unknown-frame', message: text } }
    },
    ...(options.isComplete ? { isComplete: options.isComplete } : {}),
    ...(options.keepalive
      ? {
          keepalive: {
            ...options.keepalive,
            ping: () => JSON.stringify({ op: 'ping', id: `ping-${++nextId}` }),
            isPong: (data: string) => data.includes('"pong"'),
          },
        }
      : {}),
  }
  if (!options.noSubscribe) {
    provider.subscribe = (_subscription: undefined, session: ProviderSession<TestEvent>) => {
      provider.calls.push('subscribe')
      if (session.transport === 'sse') return { kind: 'ack' }
      const id = `sub-${++nextId}`
      return { kind: 'requests', requests: [{ id, data: JSON.stringify({ op: 'subscribe', id }) }] }
    }
  }
  provider.recover = async (session, context) => {
    provider.calls.push('recover')
    provider.recoverContexts.push({
      reconnect: context.reconnect,
      ...(context.lastEventAt !== undefined ? { lastEventAt: context.lastEventAt } : {}),
    })
    for (const event of options.recoverEvents?.(context) ?? []) session.emit({ ...event, backfill: true })
  }
  return provider
}
