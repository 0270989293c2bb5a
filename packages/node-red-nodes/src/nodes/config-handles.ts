import type { LifecycleSourceV1 } from '@chainstream/core'
import type { RedApi, RedNode } from '../red/red-types.js'
import type { VenumConnection } from '../solana/venum-connection.js'
import type { TonConnection } from '../ton/ton-connection.js'

/** What a TON config node (`chainstream-toncenter`, `chainstream-tonapi`) offers the nodes using it. */
export interface TonConfigHandle {
  readonly kind: 'ton'
  readonly connection: TonConnection
  /** For the cross-chain tracker: trace lifecycles over the same connection. */
  readonly lifecycle: LifecycleSourceV1
}

/** What a `chainstream-venum` config node offers the nodes using it. */
export interface VenumConfigHandle {
  readonly kind: 'venum'
  readonly connection: VenumConnection
  /** For the cross-chain tracker: signature lifecycles over the same watch. */
  readonly lifecycle: LifecycleSourceV1
}

/** A config node instance carrying its handle. */
export interface ChainstreamConfigNode extends RedNode {
  chainstream?: TonConfigHandle | VenumConfigHandle
}

function handleOf(RED: RedApi, id: string | undefined): TonConfigHandle | VenumConfigHandle | undefined {
  if (!id) return undefined
  const node = RED.nodes.getNode(id) as ChainstreamConfigNode | null | undefined
  return node?.chainstream
}

/** The TON config node with this id, if it exists and is a TON one. */
export function tonHandle(RED: RedApi, id: string | undefined): TonConfigHandle | undefined {
  const handle = handleOf(RED, id)
  return handle?.kind === 'ton' ? handle : undefined
}

/** The Venum config node with this id, if it exists. */
export function venumHandle(RED: RedApi, id: string | undefined): VenumConfigHandle | undefined {
  const handle = handleOf(RED, id)
  return handle?.kind === 'venum' ? handle : undefined
}
