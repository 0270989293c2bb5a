import {
  type LifecycleSink,
  type LifecycleSourceV1,
  type LifecycleWatch,
  type LifecycleWatchOptions,
  toChainstreamError,
} from '@chainstream/core/provider'
import { observationFromVenumUpdate } from './finality-mapping.js'
import { validateSignatures } from './signature.js'
import { fetchTxStatus } from './tx-status.js'
import { observationFromVenumRest } from './venum-observations.js'
import { eventsUpTo, venumEventOfTier } from './venum-statuses.js'
import { createWatch, type WatchResources } from './venum-watch.js'

/**
 * Venum as a lifecycle source for the cross-chain tracker (`createTracker({ providers: [venum] })`):
 * one multiplexed watch on the client's streams, shared with its watches and waits like any other
 * consumer, whose updates reach the tracker as neutral observations (see
 * {@link observationFromVenumUpdate}). The tracker owns the lifecycle; the watch's own merging only
 * spares it duplicates.
 */
export function createVenumLifecycleSource(resources: WatchResources): LifecycleSourceV1 {
  return {
    specificationVersion: 'v1',
    chain: 'solana',
    providerId: 'venum',
    validateId: (id) => validateSignatures([id], 'id')[0] as string,
    openLifecycleWatch: (sink, options) => openLifecycleWatch(resources, sink, options),
  }
}

function openLifecycleWatch(
  resources: WatchResources,
  sink: LifecycleSink,
  options: LifecycleWatchOptions,
): LifecycleWatch {
  const target = venumEventOfTier(options.target) ?? 'finalized'
  const watch = createWatch(
    resources,
    { signatures: [], events: eventsUpTo(target), ...(options.signal ? { signal: options.signal } : {}) },
    { persistent: true },
  )
  watch.on('update', (update) =>
    sink.observe(update.signature, observationFromVenumUpdate(update, Date.now())),
  )
  watch.on('error', (error) => sink.error(error))
  watch.on('close', (error) => {
    if (!error) return
    sink.error(error)
    // A fatal error (a revoked key, say) ends the watching of every id: say so for each of them.
    for (const id of watch.watching) {
      sink.observe(id, { kind: 'watch', status: 'errored', reason: error.message, error, at: Date.now() })
    }
  })
  return {
    add: (ids) => watch.add(ids),
    remove: (ids) => watch.remove(ids),
    snapshot: async (ids) => {
      await Promise.all(
        validateSignatures(ids, 'ids').map(async (id) => {
          try {
            const body = await resources.limiter.run(() =>
              fetchTxStatus(resources.config, id, options.signal),
            )
            sink.observe(id, observationFromVenumRest(body, { at: Date.now(), source: 'snapshot' }))
          } catch (error) {
            sink.error(toChainstreamError(error))
          }
        }),
      )
    },
    close: () => watch.close(),
  }
}
