import { ChainstreamError } from '@chainstream/core'
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { RelayNames } from './names.js'

/** How to reach NATS (a server with JetStream enabled, `nats-server -js`). */
export interface RelayNatsOptions {
  /** `host:port` of one or more servers of the cluster. */
  servers: string | readonly string[]
  /** A user name, when the server asks for one (never logged). */
  user?: string
  /** Its password (never logged). */
  pass?: string
  /** A token, when the server asks for one (never logged). */
  token?: string
}

/** What a relay and a client share on NATS: the connection, JetStream, the two KV buckets. */
export interface Backend {
  readonly nc: NatsConnection
  readonly js: JetStreamClient
  readonly jsm: JetStreamManager
  readonly demand: KV
  readonly tracks: KV
  readonly names: RelayNames
}

/** How long the stream keeps events and remembers message ids. */
export interface StreamRetention {
  /** Two relays publishing the same event within this window store it once. @default 120_000 */
  duplicateWindowMs: number
  /** Events older than this are removed from the stream. @default 24 h */
  maxAgeMs: number
}

export const DEFAULT_RETENTION: StreamRetention = { duplicateWindowMs: 120_000, maxAgeMs: 86_400_000 }

const NANOS = 1_000_000

/**
 * Connects (retrying for ever, also before the first connection: a worker may start before NATS), then
 * makes sure the stream and both buckets exist. Both sides do it, so no start order is required; an
 * existing stream is used as it is.
 *
 * @throws {ChainstreamError} `InvalidArgument` when the server has no JetStream.
 */
export async function openBackend(
  nats: RelayNatsOptions,
  names: RelayNames,
  retention: StreamRetention,
  connectionName: string,
): Promise<Backend> {
  const nc = await connect({
    servers: typeof nats.servers === 'string' ? nats.servers : [...nats.servers],
    name: connectionName,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    ...(nats.user !== undefined ? { user: nats.user } : {}),
    ...(nats.pass !== undefined ? { pass: nats.pass } : {}),
    ...(nats.token !== undefined ? { token: nats.token } : {}),
  })
  try {
    const jsm = await jetstreamManager(nc)
    const js = jetstream(nc)
    await ensureStream(jsm, names, retention)
    const kvm = new Kvm(js)
    // Demand entries expire by lease (checked by the relay); the bucket's own age limit only collects
    // entries of consumers that died long ago.
    const demand = await kvm.create(names.demandBucket, { history: 1, ttl: 86_400_000 })
    const tracks = await kvm.create(names.tracksBucket, { history: 1, ttl: retention.maxAgeMs })
    return { nc, js, jsm, demand, tracks, names }
  } catch (error) {
    await nc.close().catch(() => {})
    const message = error instanceof Error ? error.message : String(error)
    throw new ChainstreamError(
      'InvalidArgument',
      /jetstream not enabled|503/i.test(message)
        ? 'The NATS server has no JetStream: start it with `nats-server -js` (and a store directory, -sd)'
        : `Could not set up the relay's stream and buckets on NATS: ${message}`,
      { cause: error, isRetryable: false },
    )
  }
}

async function ensureStream(jsm: JetStreamManager, names: RelayNames, retention: StreamRetention) {
  try {
    await jsm.streams.info(names.stream)
    return
  } catch {
    // not found: created below (a concurrent creation with the same settings succeeds too)
  }
  await jsm.streams.add({
    name: names.stream,
    subjects: [`${names.prefix}.>`],
    storage: StorageType.File,
    duplicate_window: retention.duplicateWindowMs * NANOS,
    max_age: retention.maxAgeMs * NANOS,
  })
}
