/** One event as the consumer received it, reduced to what the oracle compares. */
export interface TonDelivery {
  readonly type: string
  readonly hash: string
  /** The notification's finality; `invalidated` for `trace_invalidated`. */
  readonly finality: string
  readonly source: string
  /** Order of arrival (0, 1, 2, …). */
  readonly index: number
  /** What it carried: transaction hashes, or action ids (to tell a repeat from a snapshot with more). */
  readonly facts: readonly string[]
}

const RANK: Readonly<Record<string, number>> = { pending: 1, confirmed: 2, finalized: 3 }

export const finalityRank = (finality: string): number => RANK[finality] ?? 0

export const deliveryKey = (type: string, hash: string, finality: string): string =>
  `${type} ${hash} ${finality}`

/** Records what a stream delivers, in order. */
export class TonDeliveryLog {
  readonly list: TonDelivery[] = []
  private readonly seen = new Map<string, number>()

  add(event: { type: string; source?: string } & Record<string, unknown>): void {
    const hash = event.trace_external_hash_norm
    if (typeof hash !== 'string') return
    const finality = event.type === 'trace_invalidated' ? 'invalidated' : String(event.finality)
    const delivery: TonDelivery = {
      type: event.type,
      hash,
      finality,
      source: event.source ?? 'stream',
      index: this.list.length,
      facts: factsOf(event),
    }
    this.list.push(delivery)
    const key = deliveryKey(delivery.type, hash, finality)
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1)
  }

  has(type: string, hash: string, finality: string): boolean {
    return this.seen.has(deliveryKey(type, hash, finality))
  }

  /** Whether anything of this trace arrived. */
  sawTrace(hash: string): boolean {
    return this.list.some((delivery) => delivery.hash === hash)
  }
}

function factsOf(event: Record<string, unknown>): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : [])
  if (event.type === 'transactions') return list(event.transactions).map((tx) => String(tx.hash))
  if (event.type === 'actions') return list(event.actions).map((action) => String(action.action_id))
  return []
}
