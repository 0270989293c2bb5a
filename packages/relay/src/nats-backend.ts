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
 * @throws {ChainstreamError} `InvalidArgument` when the server has no JetStream; `ConnectionLost` when
 * setting up keeps failing for a minute.
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
  // A busy server may time out an API request: set-up is tried again for a while; a server without
  // JetStream is told at once.
  const deadline = Date.now() + SETUP_PATIENCE_MS
  let delay = 200
  for (;;) {
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
      const message = error instanceof Error ? error.message : String(error)
      const noJetStream = /jetstream not enabled|503/i.test(message)
      if (!noJetStream && Date.now() + delay < deadline) {
        await new Promise((resolve) => setTimeout(resolve, delay))
        delay = Math.min(delay * 2, 2_000)
        continue
      }
      await nc.close().catch(() => {})
      throw noJetStream
        ? new ChainstreamError(
            'InvalidArgument',
            'The NATS server has no JetStream: start it with `nats-server -js` (and a store directory, -sd)',
            { cause: error, isRetryable: false },
          )
        : new ChainstreamError(
            'ConnectionLost',
            `Could not set up the relay's stream and buckets on NATS within ${SETUP_PATIENCE_MS / 1000} s: ${message}`,
            { cause: error },
          )
    }
  }
}

/** How long set-up requests are retried before giving up. */
const SETUP_PATIENCE_MS = 60_000

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
