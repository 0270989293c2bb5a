import type { BufferOptions, ChainStream } from '@chainstream/core'
import { boolean, custom, optional, optionsObject, parseOptions, recordOf } from '@chainstream/core/provider'
import {
  resolveTonSubscription,
  type TonSubscription,
  type TonSubscriptionOptions,
} from '../protocol/subscription.js'
import { SUBSCRIPTION_KEYS } from '../stream-options.js'
import type { TonEvent } from '../ton-event.js'
import type { TonStream } from '../ton-stream.js'
import { HubConsumer } from './hub-consumer.js'
import { unionOf } from './subscription-union.js'
import { TonHub } from './ton-hub.js'

/**
 * Options of a stream opened with {@link createTonStreamsOver}: the subscription, and what the stream
 * itself owns (its buffer, its abort signal, when it starts). How the events travel is the upstream's.
 */
export interface TonStreamOverOptions extends TonSubscriptionOptions {
  /** The buffer of each `for await` consumer. */
  buffer?: BufferOptions
  /** Aborting closes the stream. */
  signal?: AbortSignal
  /** Start at once. @default true */
  autoStart?: boolean
}

/** The streams of one upstream that is not a TON Streaming server (a relay, say). */
export interface TonStreamsOver {
  /** Opens a stream on the shared upstream: typed, filtered and changed like any `stream()`. */
  stream(options: TonStreamOverOptions): TonStream
  /** Closes the upstream; its streams end with a `Closed` error. */
  close(): Promise<void>
}

const ownSchema = optionsObject({
  buffer: optional(recordOf()),
  signal: optional(custom<AbortSignal>((value) => value instanceof AbortSignal, 'expected an AbortSignal')),
  autoStart: optional(boolean()),
})

/**
 * TON streams over any upstream that carries TON events: every `stream()` joins one hub that asks the
 * upstream for the union of their subscriptions ({@link tonSubscriptionUnion}) and hands each stream
 * exactly its own part — the same `TonStream` a TON Center client gives, with its typed handlers,
 * per-handler filters, `update()` and `for await`. `open` is called with the first union and must return
 * a stream that is not started; it follows later unions through its `update()`.
 *
 * @throws {ChainstreamError} from `stream()`: `InvalidArgument` / `InvalidSubscription` for bad options.
 */
export function createTonStreamsOver(
  open: (subscription: TonSubscription) => ChainStream<TonEvent, TonSubscription>,
  upstreamOptions: {
    /**
     * Whether a stream of `subscription` was shown trace `hash` below `finalized` before this process
     * existed (a durable upstream that resumed): its invalidation is then delivered too.
     */
    shownElsewhere?: (hash: string, subscription: TonSubscription) => boolean
  } = {},
): TonStreamsOver {
  let hub: TonHub | undefined
  const hubFor = () => {
    hub ??= new TonHub(open, (idle) => {
      if (hub === idle) hub = undefined
    })
    return hub
  }
  return {
    stream(options) {
      const subscriptionOptions: Record<string, unknown> = {}
      const rest: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(options ?? {})) {
        if (SUBSCRIPTION_KEYS.has(key)) subscriptionOptions[key] = value
        else rest[key] = value
      }
      const own = parseOptions(ownSchema, rest, 'stream options')
      const subscription = resolveTonSubscription(subscriptionOptions as unknown as TonSubscriptionOptions)
      const consumer = new HubConsumer(hubFor(), subscription, {
        // The upstream is neither: 'websocket' is the transport that may stay open with nothing to follow.
        transport: 'websocket',
        buffer: own.buffer as BufferOptions | undefined,
        signal: own.signal,
        shownElsewhere: upstreamOptions.shownElsewhere,
      })
      if (own.signal?.aborted) void consumer.close()
      else if (own.autoStart !== false) consumer.start()
      return consumer
    },
    async close() {
      const current = hub
      hub = undefined
      await current?.close()
    },
  }
}

/**
 * The smallest subscription that brings each of `subscriptions` everything it asked for: the union of
 * types and targets, the lowest finality, all action types as soon as one asks for all of them. What a
 * shared connection (or a relay) subscribes to for many consumers.
 */
export function tonSubscriptionUnion(subscriptions: readonly TonSubscription[]): TonSubscription {
  return unionOf(subscriptions)
}
