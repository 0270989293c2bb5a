import type { RedApi, RedNode } from '../red/red-types.js'
import type { VenumConfigClient } from '../solana/venum-config-client.js'
import type { TonConfigClient } from '../ton/ton-config-client.js'

/** What a TON config node (`chainstream-toncenter`, `chainstream-tonapi`) offers the nodes using it. */
export interface TonConfigHandle {
  readonly kind: 'ton'
  /** The config node's provider client: streams, the tracker's lifecycle source, the shared status. */
  readonly client: TonConfigClient
}

/** What a `chainstream-venum` config node offers the nodes using it. */
export interface VenumConfigHandle {
  readonly kind: 'venum'
  /** The config node's Venum client: watches, the tracker's lifecycle source, the shared status. */
  readonly client: VenumConfigClient
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
