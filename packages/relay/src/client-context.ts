import type { Logger } from '@chainstream/core'
import type { DemandLease } from './demand-lease.js'
import type { InvalidationScope } from './invalidation-scope.js'
import type { Backend } from './nats-backend.js'

/** What every part of one relay client shares. */
export interface ClientContext {
  /** Resolves once connected and the stream and buckets exist. */
  readonly backend: Promise<Backend>
  /** The client's token in subjects and keys: its name, or a random one. */
  readonly client: string
  /** Set for a named client: its JetStream consumers are durable and resume after a restart. */
  readonly name: string | undefined
  readonly leaseMs: number
  readonly lease: DemandLease
  readonly logger: Logger
  readonly isClosed: () => boolean
  /** The scope of the invalidation being delivered now (set around its delivery only). */
  readonly invalidations: Map<string, InvalidationScope>
}
