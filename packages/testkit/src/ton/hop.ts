import type { TonMessage, TonTransaction } from './wire-types.js'

/** One message and the transaction it causes, before hashes and logical times are assigned. */
export interface Hop {
  from: string | null
  to: string
  opcode: string | null
  decodedOpcode: string | null
  value: bigint | null
  bounce: boolean
  bounced?: boolean
  deploy?: boolean
  fails?: boolean
  comment?: string
  children: Hop[]
  /** Index of the action this hop belongs to; -1 for the root. */
  action: number
  /** Filled while building. */
  inMsg?: TonMessage
  tx?: TonTransaction
}

/** A hop with the common defaults (bouncing, no children). */
export const hop = (
  init: Omit<Hop, 'children' | 'bounce'> & { children?: Hop[]; bounce?: boolean },
): Hop => ({
  bounce: true,
  children: [],
  ...init,
})
