/**
 * Where a relay and its clients meet on NATS. Every relay and client of one deployment must use the same
 * names; the defaults suit one deployment per NATS account.
 */
export interface RelayNames {
  /** The JetStream stream that holds the events. @default 'CHAINSTREAM' */
  readonly stream: string
  /** The first token of every subject (`cs.ton.…`, `cs.sol.…`). @default 'cs' */
  readonly prefix: string
  /** The KV bucket where consumers register what they want, with leases. @default 'chainstream-demand' */
  readonly demandBucket: string
  /** The KV bucket that holds the lifecycle of every tracked id. @default 'chainstream-tracks' */
  readonly tracksBucket: string
}

/** The names used when none are given. */
export const DEFAULT_RELAY_NAMES: RelayNames = {
  stream: 'CHAINSTREAM',
  prefix: 'cs',
  demandBucket: 'chainstream-demand',
  tracksBucket: 'chainstream-tracks',
}
