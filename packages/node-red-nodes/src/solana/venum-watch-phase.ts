import { isChainstreamError } from '@chainstream/core'
import type { VenumWatch } from '@chainstream/provider-venum-solana'
import { shortReason } from '../connection/connection-state.js'
import type { ConsumerState } from '../connection/consumer-states.js'

/**
 * Follows a watch into its consumer's phase until it ends (then `onClosed`): subscribed once ready or
 * an update arrives, reconnecting after a non-fatal error (a dropped stream, a 429 or 503), and a fatal
 * end for the error that closed it (a wrong key). Ending because every signature is done, or because it
 * was closed, is no problem.
 */
export function followWatch(watch: VenumWatch, consumer: ConsumerState, onClosed: () => void): void {
  watch.ready.then(
    () => consumer.set('subscribed'),
    () => {},
  )
  const offs = [
    watch.on('update', () => consumer.set('subscribed')),
    watch.on('error', (error) => consumer.set('reconnecting', shortReason(error, 32))),
    watch.on('close', (error) => {
      for (const off of offs) off()
      onClosed()
      consumer.end(error && !isChainstreamError(error, 'Closed') ? error : undefined)
    }),
  ]
}
