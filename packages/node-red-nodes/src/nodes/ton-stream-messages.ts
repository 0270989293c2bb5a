import { TON_EVENT_TYPES, type TonEvent } from '@chainstream/provider-toncenter'
import type { NodeMessage } from '../red/red-types.js'

/** With one output per event type, the outputs in this order (`trace_invalidated` last). */
export const OUTPUT_TYPES = TON_EVENT_TYPES

/** The message for one event: `topic` the event type, `payload` the event as the server sent it. */
export function eventMessage(event: TonEvent): NodeMessage {
  return {
    topic: event.type,
    payload: event,
    ...('finality' in event ? { finality: event.finality } : {}),
    source: event.source,
    ...('trace_external_hash_norm' in event ? { traceExternalHashNorm: event.trace_external_hash_norm } : {}),
  }
}

/** What `send` gets: the message, or with split outputs an array with the message at its type's output. */
export function routed(msg: NodeMessage, type: string, split: boolean): NodeMessage | (NodeMessage | null)[] {
  if (!split) return msg
  const index = (OUTPUT_TYPES as readonly string[]).indexOf(type)
  const out: (NodeMessage | null)[] = OUTPUT_TYPES.map(() => null)
  out[Math.max(index, 0)] = msg
  return out
}
