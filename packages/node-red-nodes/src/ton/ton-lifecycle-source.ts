import {
  ChainstreamError,
  type LifecycleSink,
  type LifecycleSourceV1,
  type LifecycleWatch,
  type Observation,
  observationFromTonFinality,
  observationFromTonInvalidation,
  type UpdateSource,
} from '@chainstream/core'
import {
  type TonEvent,
  type TonFinality,
  traceOutcome,
  validateTonTraceId,
} from '@chainstream/provider-toncenter'
import type { TonConnection } from './ton-connection.js'
import { toUserSubscription } from './ton-user-subscription.js'

let watchCounter = 0

/**
 * The cross-chain tracker's view of a TON config node: tracked traces become `trace` subscriptions on
 * the config node's one shared stream (no second socket), their notifications observations on the
 * finality model, and newly tracked traces get one snapshot from TON Center API v3 when it is configured
 * (a trace already pending or settled when tracking starts is not sent again by the stream).
 */
export function createTonLifecycleSource(connection: TonConnection): LifecycleSourceV1 {
  return {
    specificationVersion: 'v1',
    chain: 'ton',
    get providerId() {
      return connection.providerName?.toLowerCase().replace(/\s+/g, '') ?? 'ton'
    },
    validateId: (id) => {
      if (typeof id !== 'string' || id.trim() === '') {
        throw new ChainstreamError(
          'InvalidArgument',
          'A TON id is a trace hash (trace_external_hash_norm): base64 or 64 hex digits',
          {
            isRetryable: false,
          },
        )
      }
      return validateTonTraceId(id.trim())
    },
    openLifecycleWatch: (sink) => openWatch(connection, sink),
  }
}

function openWatch(connection: TonConnection, sink: LifecycleSink): LifecycleWatch {
  const userId = `chainstream-tracker-${++watchCounter}`
  const ids = new Set<string>()
  const abort = new AbortController()
  let closed = false
  connection.register({
    id: userId,
    onEvent: (event) => {
      const observed = observe(event)
      if (observed && ids.has(observed.id)) sink.observe(observed.id, observed.observation)
    },
    onStatus: () => {},
    onError: (error) => sink.error(error),
  })
  const resubscribe = () =>
    connection.setSubscription(
      userId,
      ids.size === 0
        ? undefined
        : toUserSubscription({ types: ['trace'], traceExternalHashNorms: [...ids], minFinality: 'pending' }),
    )
  const snapshot = async (wanted: readonly string[]): Promise<void> => {
    const v3 = connection.getConnector().v3
    if (!v3 || wanted.length === 0 || closed) return
    const [committed, pending] = await Promise.all([
      v3.traces({ msg_hash: [...wanted], limit: wanted.length }, abort.signal),
      v3.pendingTraces({ ext_msg_hash: [...wanted] }, abort.signal),
    ])
    for (const trace of [...pending, ...committed]) {
      const hash = trace.trace_external_hash_norm
      if (!hash || !ids.has(hash)) continue
      const finality: TonFinality = trace.finality ?? (pending.includes(trace) ? 'pending' : 'finalized')
      sink.observe(hash, finalityObservation(hash, finality, trace.transactions, 'snapshot', trace))
    }
  }
  return {
    add: async (added) => {
      const fresh = added.filter((id) => !ids.has(id))
      for (const id of fresh) ids.add(id)
      await resubscribe()
      // Subscribe first, then snapshot: nothing falls between the two.
      snapshot(fresh).catch((error: unknown) => sink.error(error))
    },
    remove: async (removed) => {
      for (const id of removed) ids.delete(id)
      await resubscribe()
    },
    snapshot,
    close: async () => {
      closed = true
      abort.abort()
      ids.clear()
      await connection.deregister(userId)
    },
  }
}

function observe(event: TonEvent): { id: string; observation: Observation } | undefined {
  if (event.type === 'trace') {
    return {
      id: event.trace_external_hash_norm,
      observation: finalityObservation(
        event.trace_external_hash_norm,
        event.finality,
        event.transactions,
        event.source,
        event,
      ),
    }
  }
  if (event.type === 'trace_invalidated') {
    return {
      id: event.trace_external_hash_norm,
      observation: observationFromTonInvalidation({ at: Date.now(), source: event.source, data: event }),
    }
  }
  return undefined
}

/**
 * A trace snapshot as an observation: its finality as the tier, and the outcome by the TON provider's
 * documented rule (`traceOutcome`: a failed transaction makes it a failure at any finality; a clean
 * pending snapshot says nothing yet, a clean confirmed or finalized one is a success).
 */
function finalityObservation(
  hash: string,
  finality: TonFinality,
  transactions: unknown,
  source: UpdateSource,
  data: unknown,
): Observation {
  const { outcome, error } = traceOutcome(hash, finality, transactions)
  return observationFromTonFinality(finality, {
    at: Date.now(),
    source,
    data,
    ...(outcome !== undefined ? { outcome } : {}),
    ...(error !== undefined ? { error } : {}),
  })
}
