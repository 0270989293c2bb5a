import type { Logger } from '@chainstream/core'
import {
  type TonServiceClient,
  type TonStream,
  type TonStreamOptions,
  tonSubscriptionUnion,
} from '@chainstream/provider-toncenter'
import { resolveTonSubscription, type TonSubscription } from '@chainstream/provider-toncenter/protocol'
import type { NatsConnection } from '@nats-io/transport-node'
import { appliedSubject } from './demand.js'
import type { DemandEntry } from './demand-registry.js'
import { InvalidationScopes } from './invalidation-scope.js'
import type { Publisher } from './publisher.js'
import { tonMessages } from './ton-messages.js'

/** Stream options the relay's upstream TON stream takes (the subscription is the consumers' union). */
export type RelayTonStreamOptions = Omit<TonStreamOptions, keyof TonSubscription | 'autoStart' | 'signal'>

/**
 * The relay's TON upstream: one stream of the provider client, subscribed to the union of the live TON
 * demand and moved with `update()` as the union changes (on a WebSocket that is a `subscribe` on the
 * open connection, no reconnect). Every event goes to the publisher; every client whose demand revision
 * is in the union the server acknowledged is told so on its `applied` subject.
 */
export class TonFollower {
  private stream: TonStream | undefined
  private running = false
  private again = false
  private entries: readonly DemandEntry[] = []
  private readonly scopes = new InvalidationScopes()

  constructor(
    private readonly ton: TonServiceClient,
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly publisher: Publisher,
    private readonly options: RelayTonStreamOptions,
    private readonly logger: Logger,
  ) {}

  /** The union followed now (undefined while nothing is). */
  get subscription(): TonSubscription | undefined {
    return this.stream?.subscription
  }

  follow(entries: readonly DemandEntry[]): void {
    this.entries = entries
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    void this.loop()
  }

  async close(): Promise<void> {
    const stream = this.stream
    this.stream = undefined
    await stream?.close()
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false
        await this.sync(this.entries)
      } while (this.again)
    } finally {
      this.running = false
    }
  }

  private async sync(entries: readonly DemandEntry[]): Promise<void> {
    const accepted: { client: string; revision: number; subscription: TonSubscription }[] = []
    for (const entry of entries) {
      if (entry.value.kind !== 'ton') continue
      const client = entry.key.slice('ton.'.length)
      try {
        const subscription = resolveTonSubscription(entry.value.subscription as never)
        accepted.push({ client, revision: entry.revision, subscription })
      } catch (error) {
        this.tell(client, entry.revision, error instanceof Error ? error.message : String(error))
      }
    }
    const union = tonSubscriptionUnion(accepted.map((item) => item.subscription))
    const active = union.addresses.length > 0 || union.traceExternalHashNorms.length > 0
    try {
      if (!active) {
        await this.close()
      } else if (!this.stream || this.stream.state === 'closed') {
        this.open(union)
        await this.stream?.waitSubscribed()
      } else {
        await this.stream.update(union)
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.logger.error('relay: the TON union was refused', { reason })
      for (const item of accepted) this.tell(item.client, item.revision, reason)
      return
    }
    for (const item of accepted) this.tell(item.client, item.revision)
  }

  private open(union: TonSubscription): void {
    const stream = this.ton.stream({ transport: 'websocket', ...this.options, ...union })
    this.stream = stream
    stream.on('event', (event) =>
      this.publisher.enqueue(this.scopes.note(event, tonMessages(this.prefix, event))),
    )
    stream.on('error', (error) => this.logger.warn('relay: TON stream error', { code: error.code }))
    stream.on('close', (error) => {
      if (this.stream !== stream) return
      this.stream = undefined
      this.logger.error('relay: the TON stream ended; opening it again', { code: error?.code })
      setTimeout(() => this.follow(this.entries), 1_000).unref?.()
    })
  }

  private tell(client: string, revision: number, error?: string): void {
    try {
      this.nc.publish(
        appliedSubject(this.prefix, client),
        JSON.stringify(error === undefined ? { revision } : { revision, error }),
      )
    } catch {
      // NATS is away: the client's next renewal asks again.
    }
  }
}
