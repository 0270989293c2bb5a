import { z } from 'zod'

/**
 * What a consumer registers in the demand bucket. Keys: `ton.<client>` for a client's TON streams (the
 * union of their subscriptions), `track.<chain>.<client>.<part>` for the ids its tracker follows (in parts,
 * as a KV value has a size limit). Every entry carries the lease its owner renews it within.
 */
export type DemandValue =
  | { readonly kind: 'ton'; readonly leaseMs: number; readonly subscription: unknown }
  | {
      readonly kind: 'track'
      readonly leaseMs: number
      readonly chain: string
      readonly ids: readonly string[]
    }

const demandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ton'), leaseMs: z.number().positive(), subscription: z.unknown() }),
  z.object({
    kind: z.literal('track'),
    leaseMs: z.number().positive(),
    chain: z.string().min(1),
    ids: z.array(z.string()),
  }),
])

/** Reads a demand entry; `undefined` for anything else (it is ignored, not trusted). */
export function parseDemand(value: unknown): DemandValue | undefined {
  const result = demandSchema.safeParse(value)
  return result.success ? (result.data as DemandValue) : undefined
}

/** How many ids one `track` entry holds (a Solana signature is 88 characters at most: about 180 KB). */
export const IDS_PER_ENTRY = 2_000

/** The subject on which relays say which revision of a client's TON demand they follow (not stored). */
export function appliedSubject(prefix: string, client: string): string {
  return `${prefix}-relay.applied.${client}`
}
