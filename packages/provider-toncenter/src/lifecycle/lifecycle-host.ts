import type { Logger } from '@chainstream/core'
import type { V3Client } from '../recovery/v3-client.js'
import type { TonStreamOptions } from '../stream-options.js'
import type { TonStream, TonStreamPlacement } from '../ton-stream.js'

/** What the lifecycle source needs from a TON client (TON Center or TonAPI). */
export interface TonLifecycleHost {
  /** `'toncenter'`, `'tonapi'`. */
  readonly providerId: string
  /** For messages: `'TON Center'`, `'TonAPI'`. */
  readonly providerName: string
  /** Opens a stream on the client (its `stream()` method, with where it may ride). */
  openStream(options: TonStreamOptions, placement?: TonStreamPlacement): TonStream
  /** TON Center API v3, for snapshots and re-checks; without it, neither is possible. */
  readonly v3: V3Client | undefined
  /** The client's logger. */
  readonly logger?: Logger | undefined
}
