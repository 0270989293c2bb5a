import {
  ChainstreamError,
  type LifecycleSink,
  type LifecycleSourceV1,
  type LifecycleWatch,
} from '@chainstream/core'
import { observationFromVenumUpdate, signatureProblem } from '@chainstream/provider-venum-solana'
import type { VenumConnection } from './venum-connection.js'

let watchCounter = 0

/**
 * The cross-chain tracker's view of a Venum config node: tracked signatures join the config node's
 * shared watch (which snapshots after every (re)connect), and its updates become observations on the
 * finality model.
 */
export function createVenumLifecycleSource(connection: VenumConnection): LifecycleSourceV1 {
  return {
    specificationVersion: 'v1',
    chain: 'solana',
    providerId: 'venum',
    validateId: (id) => {
      const problem = signatureProblem(id)
      if (problem) {
        throw new ChainstreamError(
          'InvalidArgument',
          `The Solana id ${problem}; pass a transaction signature`,
          {
            isRetryable: false,
          },
        )
      }
      return id
    },
    openLifecycleWatch: (sink) => openWatch(connection, sink),
  }
}

function openWatch(connection: VenumConnection, sink: LifecycleSink): LifecycleWatch {
  const userId = `chainstream-tracker-${++watchCounter}`
  connection.register({
    id: userId,
    onUpdate: (update) => sink.observe(update.signature, observationFromVenumUpdate(update)),
    onStatus: () => {},
    onError: (error) => sink.error(error),
  })
  return {
    add: (ids) => connection.add(userId, ids),
    remove: (ids) => connection.remove(userId, ids),
    close: () => connection.deregister(userId),
  }
}
