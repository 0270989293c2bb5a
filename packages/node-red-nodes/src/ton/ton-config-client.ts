import type { LifecycleSourceV1 } from '@chainstream/core/provider'
import type { TonStream, TonStreamOptions } from '@chainstream/provider-toncenter'
import { ConnectionStateMachine } from '../connection/connection-state.js'
import { ConsumerStates } from '../connection/consumer-states.js'
import { lazyClient } from '../connection/lazy-client.js'
import { Linger } from '../connection/linger.js'
import type { TonConnector, TonService } from './ton-connector.js'
import { createConfigLifecycle } from './ton-lifecycle.js'
import { followStream } from './ton-stream-phase.js'

/** Options of a {@link TonConfigClient}. */
export interface TonConfigClientOptions {
  readonly service: TonService
  readonly transport: 'websocket' | 'sse'
  /** Makes the provider client (the adapter); called once, on first use. */
  readonly connect: () => TonConnector
  /** The client could not be made: the config node logs why. */
  readonly onInvalid?: (error: unknown) => void
  /** How long a released stream keeps the connection open (see {@link Linger}). @default 2_000 */
  readonly lingerMs?: number
}

/** What a TON config node holds now, for leak checks. */
export interface TonConfigClientStats {
  /** Streams opened through the config node and not closed yet (released ones included). */
  readonly streams: number
  /** Of those, released by their nodes and about to close. */
  readonly lingering: number
  /** Streams opened since the config node started. */
  readonly opened: number
  /** Nodes showing the config node's status. */
  readonly statusListeners: number
}

/**
 * A TON config node's one provider client, and the streams its nodes open on it. Sharing is the
 * provider's: every `stream()` of the client rides one upstream connection, subscribed to the union of
 * what the streams ask, and each stream gets exactly its own events. What is left here is Node-RED's
 * part: the client is made on first use and its streams are closed with the config node (the client
 * itself has no `close()`: the connection closes with its last stream); a stream a node releases
 * lingers so that a redeploy keeps the connection; and the status every node shows is one state
 * machine, folded from the states of all the streams.
 */
export class TonConfigClient {
  readonly state = new ConnectionStateMachine()
  /** For the cross-chain tracker: trace lifecycles on streams of this same client. */
  readonly lifecycle: LifecycleSourceV1
  readonly service: TonService
  readonly transport: 'websocket' | 'sse'
  private readonly consumers = new ConsumerStates(this.state)
  private readonly streams = new Set<TonStream>()
  private readonly linger: Linger
  private readonly client: () => TonConnector
  private opened = 0
  private isClosed = false

  constructor(options: TonConfigClientOptions) {
    this.service = options.service
    this.transport = options.transport
    this.linger = new Linger(options.lingerMs)
    this.client = lazyClient(options.connect, (error) => {
      this.consumers.fail(error)
      options.onInvalid?.(error)
    })
    this.lifecycle = createConfigLifecycle(this)
  }

  /** The provider client (made on first use); throws the configuration error when there is one. */
  connector(): TonConnector {
    return this.client()
  }

  /**
   * Opens a stream on the client's shared connection (throws the provider's validation error, or the
   * configuration error, before anything is sent). Close it, or hand it back with {@link release}.
   */
  open(options: Omit<TonStreamOptions, 'transport'>): TonStream {
    if (this.isClosed) throw new Error('the configuration node is closed')
    const stream = this.client().stream(options)
    this.opened++
    this.streams.add(stream)
    followStream(stream, this.consumers.add(), () => this.streams.delete(stream))
    return stream
  }

  /** A node is done with `stream` (its listeners removed): it closes after the linger. */
  release(stream: TonStream): void {
    if (this.isClosed || !this.streams.has(stream)) {
      void stream.close()
      return
    }
    this.linger.hold(() => stream.close())
  }

  stats(): TonConfigClientStats {
    return {
      streams: this.streams.size,
      lingering: this.linger.size,
      opened: this.opened,
      statusListeners: this.state.size,
    }
  }

  /** Closes every stream of the client, released ones at once (the config node is closing). Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true
    const open = [...this.streams]
    await Promise.all([this.linger.flush(), ...open.map((stream) => stream.close())])
    this.consumers.clear()
  }
}
