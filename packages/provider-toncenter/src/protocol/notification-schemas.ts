import { z } from 'zod'
import { TON_FINALITIES, type TonEventType } from './event-types.js'

/**
 * Lenient schemas for what chainstream itself reads from a notification: the envelope (type, finality,
 * trace hash) and the few inner fields recovery and filtering depend on (transaction account/hash/lt,
 * action id/type, jetton wallet addresses). Loose objects: every other field passes through untouched, and
 * inner objects are checked one level deep only.
 */

const finality = z.enum(TON_FINALITIES)
const traceHash = z.string().min(1)
const record = z.record(z.string(), z.unknown())

const enrichments = {
  address_book: record.nullish(),
  metadata: record.nullish(),
}

const transaction = z.looseObject({ account: z.string(), hash: z.string(), lt: z.string() })
const action = z.looseObject({ action_id: z.string(), type: z.string() })

const schemas: Record<TonEventType, z.ZodType> = {
  transactions: z.looseObject({
    finality,
    trace_external_hash_norm: traceHash,
    transactions: z.array(transaction),
    ...enrichments,
  }),
  actions: z.looseObject({
    finality,
    trace_external_hash_norm: traceHash,
    actions: z.array(action),
    ...enrichments,
  }),
  trace: z.looseObject({
    finality,
    trace_external_hash_norm: traceHash,
    trace: record,
    transactions: z.record(z.string(), transaction),
    actions: z.array(action).nullish(),
    ...enrichments,
  }),
  account_state_change: z.looseObject({
    finality,
    account: z.string().min(1),
    state: record,
  }),
  jettons_change: z.looseObject({
    finality,
    jetton: z.looseObject({ address: z.string(), owner: z.string() }),
    ...enrichments,
  }),
  trace_invalidated: z.looseObject({ trace_external_hash_norm: traceHash }),
}

/** The schema of a known notification type. */
export function notificationSchema(type: TonEventType): z.ZodType {
  return schemas[type]
}

/** A response envelope: `{id?, status?, error?}`. */
export const responseSchema = z.looseObject({
  id: z.string().optional(),
  status: z.string().optional(),
  error: z.string().optional(),
})
