import { randomUUID } from 'node:crypto'
import { ChainstreamError, type Logger } from '@chainstream/core'
import { type LifecycleSourceV1, parseOptions, silentLogger } from '@chainstream/core/provider'
import {
  createTonStreamsOver,
  meetsFinality,
  type TonStream,
  type TonStreamOverOptions,
  validateTonTraceId,
} from '@chainstream/provider-toncenter'
import type { TonSubscription } from '@chainstream/provider-toncenter/protocol'
import { isSolanaSignature, signatureProblem } from '@chainstream/provider-venum-solana'
import { z } from 'zod'
import type { ClientContext } from './client-context.js'
import { createRelayLifecycleSource } from './client-lifecycle.js'
import { RelayTonUpstream } from './client-ton-upstream.js'
import { DemandLease } from './demand-lease.js'
import { DEFAULT_RELAY_NAMES, type RelayNames } from './names.js'
import { type Backend, DEFAULT_RETENTION, openBackend } from './nats-backend.js'

/** Options of {@link createRelayClient}. */
export interface RelayClientOptions {
  /** `host:port` of the NATS server(s) the relay publishes to. */
  servers: string | readonly string[]
  /**
   * A name makes the client durable: its JetStream consumer outlives the process, and a restart with the
   * same name resumes after the last event it acknowledged (one process per name). Without a name the
   * client reads from when it starts, and its consumer is removed with it. Letters, digits, `-`, `_`.
   */
  name?: string
  /**
   * How long the relays keep following what this client registered after it stopped renewing it: a
   * named client that restarts within it misses nothing. @default 120_000 named, 15_000 otherwise
   */
  leaseMs?: number
  /** A NATS user name, when the server asks for one. */
  user?: string
  /** Its password. */
  pass?: string
  /** A NATS token, when the server asks for one. */
  token?: string
  /** Stream and bucket names, as the relays use them. */
  names?: Partial<RelayNames>
  /** Where the client's own messages go. @default silent */
  logger?: Logger
}

/** The TON side of a relay client: streams like a TON client's, and a lifecycle source. */
export interface RelayTon {
  /**
   * Opens a TON stream through the relay: the same `TonStream` as `toncenter.stream()` — typed handlers,
   * filters, `update()`, `for await` — for the same subscription options.
   *
   * @throws {ChainstreamError} `InvalidArgument` / `InvalidSubscription` for bad options.
   */
  stream(options: TonStreamOverOptions): TonStream
  /** TON tracking through the relay, for `createTracker({ providers: [relay.ton] })`. */
  readonly lifecycle: LifecycleSourceV1
}

/** The Solana side of a relay client. */
export interface RelaySolana {
  /** Solana tracking through the relay, for `createTracker({ providers: [relay.solana] })`. */
  readonly lifecycle: LifecycleSourceV1
}

/** A client of the relays: a provider like the others, with NATS in between. */
export interface RelayClient {
  /** The client's name (or the random one of an unnamed client). */
  readonly name: string
  /** TON streams and TON tracking through the relays. */
  readonly ton: RelayTon
  /** Solana tracking through the relays. */
  readonly solana: RelaySolana
  /** Resolves once connected to NATS (streams and tracks work before; they wait for it). */
  ready(): Promise<void>
  /**
   * Closes every stream and watch and the NATS connection. A named client's consumer and leases stay,
   * so that a restart resumes; an unnamed client's are removed.
   */
  close(): Promise<void>
}

const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/

const optionsSchema = z.object({
  servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'must be a NATS server address like "127.0.0.1:4222", or a list of them',
  }),
  name: z
    .string()
    .regex(NAME_RE, 'must be 1 to 64 letters, digits, "-" or "_" (it names a JetStream consumer)')
    .optional(),
  leaseMs: z.number().int().min(1_000, 'must be at least 1000 ms').optional(),
  user: z.string().optional(),
  pass: z.string().optional(),
  token: z.string().optional(),
  names: z.record(z.string(), z.string()).optional(),
  logger: z
    .custom<Logger>((value) => typeof value === 'object' && value !== null, 'expected a logger')
    .optional(),
})

/**
 * A client of the relays: `relay.ton.stream({…})` gives the same typed stream as a TON client, and
 * `createTracker({ providers: [relay.ton, relay.solana] })` tracks through the relays, starting every id
 * from the lifecycle the relays recorded — in this process or any other.
 *
 * @throws {ChainstreamError} `InvalidArgument` for bad options.
 * @example
 * ```ts
 * const relay = createRelayClient({ servers: '127.0.0.1:4222', name: 'payments-worker-1' })
 * const stream = relay.ton.stream({ types: ['transactions'], addresses: ['EQ…'], minFinality: 'confirmed' })
 * stream.on('transactions', (event) => credit(event))
 * const tracker = createTracker({ providers: [relay.ton, relay.solana] })
 * ```
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const parsed = parseOptions(optionsSchema, options, 'relay client options')
  const names: RelayNames = { ...DEFAULT_RELAY_NAMES, ...(parsed.names as Partial<RelayNames>) }
  const logger = options.logger ?? silentLogger
  const client = parsed.name ?? `anon-${randomUUID().slice(0, 8)}`
  const leaseMs = parsed.leaseMs ?? (parsed.name ? 120_000 : 15_000)
  let closed = false
  const backend: Promise<Backend> = openBackend(
    {
      servers: parsed.servers,
      ...(parsed.user !== undefined ? { user: parsed.user } : {}),
      ...(parsed.pass !== undefined ? { pass: parsed.pass } : {}),
      ...(parsed.token !== undefined ? { token: parsed.token } : {}),
    },
    names,
    DEFAULT_RETENTION,
    `chainstream-client-${client}`,
  )
  // Whoever awaits it sees the failure; this keeps an unobserved one from crashing the process.
  backend.catch(() => {})
  const bucket = backend.then((b) => b.demand)
  bucket.catch(() => {})
  const lease = new DemandLease(bucket, leaseMs, logger)
  const context: ClientContext = {
    backend,
    client,
    name: parsed.name,
    leaseMs,
    lease,
    logger,
    isClosed: () => closed,
    invalidations: new Map(),
  }
  const streams = createTonStreamsOver((subscription) => new RelayTonUpstream(context, subscription), {
    // A durable client may have been shown a trace by its previous process: the relay says to whom the
    // trace was shown, and the invalidation reaches those of its streams that follow one of them.
    ...(parsed.name
      ? {
          shownElsewhere: (hash: string, subscription: TonSubscription) => {
            const scope = context.invalidations.get(hash)
            if (!scope || !meetsFinality(scope.finality, subscription.minFinality)) return false
            if (!subscription.types.some((type) => type === 'transactions' || type === 'actions'))
              return false
            return subscription.addresses.some((address) => scope.accounts.has(address))
          },
        }
      : {}),
  })
  const ton: RelayTon = {
    stream(streamOptions) {
      if (closed) throw new ChainstreamError('Closed', 'The relay client is closed; create a new one')
      return streams.stream(streamOptions)
    },
    lifecycle: createRelayLifecycleSource(context, 'ton', 'relay', validateTonTraceId),
  }
  const solana: RelaySolana = {
    lifecycle: createRelayLifecycleSource(context, 'solana', 'relay', (id) => {
      if (isSolanaSignature(id)) return id
      throw new ChainstreamError(
        'InvalidArgument',
        signatureProblem(id) ?? `Invalid Solana signature: ${id}`,
        {
          isRetryable: false,
        },
      )
    }),
  }
  return {
    name: client,
    ton,
    solana,
    async ready() {
      await backend
    },
    async close() {
      if (closed) return
      closed = true
      await streams.close()
      await lease.close(!parsed.name)
      const connection = await backend.catch(() => undefined)
      await connection?.nc.drain().catch(() => {})
    },
  }
}
