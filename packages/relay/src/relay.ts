import { ChainstreamError, type Logger, type TrackerProvider } from '@chainstream/core'
import { parseOptions, silentLogger } from '@chainstream/core/provider'
import type { TonServiceClient } from '@chainstream/provider-toncenter'
import type { TonSubscription } from '@chainstream/provider-toncenter/protocol'
import type { Venum } from '@chainstream/provider-venum-solana'
import { z } from 'zod'
import { DemandRegistry } from './demand-registry.js'
import { DEFAULT_RELAY_NAMES, type RelayNames } from './names.js'
import { type Backend, DEFAULT_RETENTION, openBackend, type RelayNatsOptions } from './nats-backend.js'
import { Publisher } from './publisher.js'
import { type RelayTonStreamOptions, TonFollower } from './relay-ton.js'
import { TrackFollower } from './relay-tracks.js'
import { solanaStatusMessage } from './solana-messages.js'
import { TrackWriter } from './track-writer.js'

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /** Where NATS (with JetStream) is. */
  nats: RelayNatsOptions
  /** The provider clients the relay holds: the only ones that talk to the upstream services. */
  providers: {
    /** A TON client (`createToncenter`, `createTonapi`): TON streams and TON tracking. */
    ton?: TonServiceClient
    /** A Venum client (`createVenum`): Solana tracking. */
    solana?: Venum
  }
  /** Options of the relay's upstream TON stream. @default { transport: 'websocket' } */
  tonStream?: RelayTonStreamOptions
  /** Stream and bucket names shared with the clients. */
  names?: Partial<RelayNames>
  /** Two relays publishing one event within this window store it once. @default 120_000 */
  duplicateWindowMs?: number
  /** How long the stream keeps events, and the tracks bucket records. @default 86_400_000 (24 h) */
  maxAgeMs?: number
  /** Where the relay's own messages go. @default silent */
  logger?: Logger
}

/** A running relay. */
export interface Relay {
  /** The stream, subject prefix and buckets in use. */
  readonly names: RelayNames
  /** The TON union followed now (undefined while no consumer wants TON events). */
  readonly tonSubscription: TonSubscription | undefined
  /** How many ids the relay tracks now. */
  readonly tracked: number
  /** Messages stored, reported duplicate (another relay was first), and publishes retried. */
  readonly counts: { readonly published: number; readonly duplicates: number; readonly retries: number }
  /** Resolves once every event received so far is stored in the stream. */
  drained(): Promise<void>
  /** Stops following and closes the NATS connection (the provider clients stay open: they are yours). */
  close(): Promise<void>
}

const optionsSchema = z.object({
  nats: z.object({
    servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: 'must be a server address like "127.0.0.1:4222", or a list of them',
    }),
  }),
  providers: z
    .object({
      ton: z
        .custom<TonServiceClient>(
          (value) => typeof value === 'object' && value !== null && 'stream' in value,
          'expected a TON client (createToncenter / createTonapi)',
        )
        .optional(),
      solana: z
        .custom<Venum>(
          (value) => typeof value === 'object' && value !== null && 'lifecycle' in value,
          'expected a Venum client (createVenum)',
        )
        .optional(),
    })
    .refine((providers) => providers.ton !== undefined || providers.solana !== undefined, {
      message:
        'give at least one provider client: { ton: createToncenter(…) } and/or { solana: createVenum(…) }',
    }),
  duplicateWindowMs: z.number().int().min(1_000).optional(),
  maxAgeMs: z.number().int().min(1_000).optional(),
})

/**
 * Starts a relay: it holds the provider clients, follows what the consumers registered in the demand
 * bucket (the union of their TON subscriptions on one upstream stream; the ids their trackers track, on
 * one tracker), publishes every TON event to the JetStream stream under a message id derived from the
 * event, and keeps the lifecycle of every tracked id in the tracks bucket. Two relays on the same NATS
 * run side by side: the server stores each event once, and the tracks bucket takes each news once.
 *
 * @throws {ChainstreamError} `InvalidArgument` for bad options, or a NATS server without JetStream.
 * @example
 * ```ts
 * const relay = await createRelay({
 *   nats: { servers: '127.0.0.1:4222' },
 *   providers: { ton: createToncenter({ apiKey }), solana: createVenum({ apiKey: venumKey }) },
 * })
 * ```
 */
export async function createRelay(options: RelayOptions): Promise<Relay> {
  parseOptions(optionsSchema, options, 'relay options')
  const names: RelayNames = { ...DEFAULT_RELAY_NAMES, ...options.names }
  const logger = options.logger ?? silentLogger
  const backend: Backend = await openBackend(
    options.nats,
    names,
    {
      duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_RETENTION.duplicateWindowMs,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_RETENTION.maxAgeMs,
    },
    'chainstream-relay',
  )
  const publisher = new Publisher(backend.js, logger)
  const writer = new TrackWriter(backend.tracks, logger)
  const { ton, solana } = options.providers
  const tonFollower = ton
    ? new TonFollower(ton, backend.nc, names.prefix, publisher, options.tonStream ?? {}, logger)
    : undefined
  const sources: TrackerProvider[] = []
  const chains: string[] = []
  if (ton) {
    sources.push(ton)
    chains.push('ton')
  }
  if (solana) {
    sources.push(solana)
    chains.push('solana')
  }
  const tracks = new TrackFollower(sources, chains, writer, logger, (record) => {
    if (record.chain === 'solana') publisher.enqueue([solanaStatusMessage(names.prefix, record)])
  })
  const registry = new DemandRegistry(
    backend.demand,
    () => {
      const live = registry.live()
      tonFollower?.follow(live)
      tracks.follow(live)
    },
    logger,
  )
  try {
    await registry.start()
  } catch (error) {
    await backend.nc.close().catch(() => {})
    throw new ChainstreamError(
      'ConnectionClosed',
      `The relay could not watch the demand bucket: ${String(error)}`,
      {
        cause: error,
      },
    )
  }
  let closed = false
  return {
    names,
    get tonSubscription() {
      return tonFollower?.subscription
    },
    get tracked() {
      return tracks.size
    },
    get counts() {
      return { ...publisher.counts }
    },
    drained: () => publisher.drained(),
    async close() {
      if (closed) return
      closed = true
      await registry.stop()
      await Promise.all([tonFollower?.close(), tracks.close()])
      // What was received is stored before leaving — unless NATS is away, which no one waits out here.
      await Promise.race([
        Promise.all([publisher.drained(), writer.settled()]),
        new Promise((resolve) => setTimeout(resolve, 5_000).unref?.()),
      ])
      publisher.close()
      writer.close()
      await backend.nc.drain().catch(() => {})
    },
  }
}
