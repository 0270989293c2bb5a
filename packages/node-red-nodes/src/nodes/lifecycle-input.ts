import type { ObservedTier } from '@chainstream/core'
import { isObservedTier } from '@chainstream/core/provider'
import type { NodeMessage } from '../red/red-types.js'

/** One transaction to track, as read from a message or the node's settings. */
export interface LifecycleRequest {
  chain: string
  id: string
  target?: ObservedTier
  timeoutMs?: number
}

/**
 * What a message asks `tx-lifecycle` to track: `msg.payload` as `{ chain, id }` (optionally `target`,
 * `timeoutMs`), an array of those or of ids, or an id string (its chain from `msg.chain` or the node);
 * anything else (an inject's timestamp) tracks the id configured in the node.
 *
 * @throws Error when nothing to track can be found.
 */
export function lifecycleRequests(
  msg: NodeMessage,
  defaults: { chain: string; id: string },
): LifecycleRequest[] {
  const chain = typeof msg.chain === 'string' && msg.chain !== '' ? msg.chain : defaults.chain
  const one = (value: unknown): LifecycleRequest => {
    if (typeof value === 'string' && value.trim() !== '') return { chain, id: value.trim() }
    if (value && typeof value === 'object') {
      const item = value as Record<string, unknown>
      const id = [item.id, item.signature, item.traceExternalHashNorm, item.trace_external_hash_norm].find(
        (candidate) => typeof candidate === 'string' && candidate.trim() !== '',
      ) as string | undefined
      if (!id) throw new Error('msg.payload needs an id: { chain, id }')
      const request: LifecycleRequest = {
        chain: typeof item.chain === 'string' ? item.chain : chain,
        id: id.trim(),
      }
      if (item.target !== undefined) {
        if (!isObservedTier(item.target))
          throw new Error('target must be pending, included, confirmed or finalized')
        request.target = item.target
      }
      if (typeof item.timeoutMs === 'number' && item.timeoutMs >= 0) request.timeoutMs = item.timeoutMs
      return request
    }
    throw new Error('msg.payload must be { chain, id }, an id, or a list of them')
  }
  const payload = msg.payload
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new Error('msg.payload is an empty list')
    return payload.map(one)
  }
  if ((typeof payload === 'string' && payload.trim() !== '') || (payload && typeof payload === 'object')) {
    return [one(payload)]
  }
  if (defaults.id.trim() === '') {
    throw new Error('nothing to track: send { chain, id } in msg.payload or set a transaction id in the node')
  }
  return [{ chain: defaults.chain, id: defaults.id.trim() }]
}
