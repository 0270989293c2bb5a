import type { LifecycleSink, LifecycleSourceV1, LifecycleWatch } from '@chainstream/core/provider'
import { shortReason } from './connection-state.js'
import type { ConsumerStates } from './consumer-states.js'

/** The source's identity, known before the provider client is made. */
export interface LifecycleIdentity {
  readonly chain: string
  readonly providerId: string
}

/**
 * A provider's own lifecycle source, taken from its client on first use, with every watch a tracker
 * opens on it followed into the config node's status (and kept in `open`, so the config node can close
 * what is left of them). What is watched and how stays the provider's: the watch and sink calls are
 * passed through unchanged. Phases: connecting while ids are being added, subscribed once they are or
 * an observation arrives, reconnecting after a watch-wide error, idle with nothing watched, and a fatal
 * end when the watch errored for good.
 */
export function followedLifecycle(
  identity: LifecycleIdentity,
  source: () => LifecycleSourceV1,
  consumers: ConsumerStates,
  open: Set<LifecycleWatch>,
): LifecycleSourceV1 {
  return {
    specificationVersion: 'v1',
    chain: identity.chain,
    providerId: identity.providerId,
    validateId: (id) => source().validateId(id),
    openLifecycleWatch: (sink, options) => {
      const consumer = consumers.add()
      const ids = new Set<string>()
      const followed: LifecycleSink = {
        observe: (id, observation) => {
          if (observation.kind === 'watch' && observation.status === 'errored') {
            consumer.end(observation.error ?? observation.reason)
          } else if (observation.kind !== 'watch') consumer.set('subscribed')
          sink.observe(id, observation)
        },
        error: (error) => {
          consumer.set('reconnecting', shortReason(error, 32))
          sink.error(error)
        },
      }
      const inner = source().openLifecycleWatch(followed, options)
      const watch: LifecycleWatch = {
        add: async (added) => {
          if (ids.size === 0) consumer.set('connecting')
          for (const id of added) ids.add(id)
          await inner.add(added)
          if (ids.size > 0) consumer.set('subscribed')
        },
        remove: (removed) => {
          for (const id of removed) ids.delete(id)
          if (ids.size === 0) consumer.set('idle')
          return inner.remove(removed)
        },
        ...(inner.snapshot ? { snapshot: (wanted) => inner.snapshot?.(wanted) ?? Promise.resolve() } : {}),
        close: () => {
          open.delete(watch)
          consumer.end()
          return inner.close()
        },
      }
      open.add(watch)
      return watch
    },
  }
}
