import type { VenumTxStatus } from './tx-status.js'

/**
 * What one shard's stream engine carries: a decoded stream event, or a REST lookup delivered through the
 * same path (snapshots after `ready`). Internal: users see {@link VenumUpdate}s.
 */
export type VenumFrame =
  /** A `tx` event: a status for one signature. */
  | {
      readonly kind: 'tx'
      readonly signature: string
      readonly status: string
      readonly slot?: number
      readonly err?: unknown
      readonly ts?: number
      /**
       * The event's parsed JSON. A frame its route remembers (for consumers that join later) has it
       * cleared once delivered: a replayed frame carries only the fields above.
       */
      readonly data: unknown
    }
  /** An `error` event: Venum could not watch this one signature; the others keep streaming. */
  | {
      readonly kind: 'signature-error'
      readonly signature: string
      readonly error?: string
      readonly reason?: string
      readonly data: unknown
    }
  /** A `GET /v1/tx/:signature` answer. */
  | {
      readonly kind: 'lookup'
      readonly signature: string
      readonly body: VenumTxStatus
      readonly source: 'snapshot' | 'poll'
    }
