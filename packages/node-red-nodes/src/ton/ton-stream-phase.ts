import type { TonStream } from '@chainstream/provider-toncenter'
import { shortReason } from '../connection/connection-state.js'
import type { ConsumerState } from '../connection/consumer-states.js'

/**
 * Follows a stream's state into its consumer's phase until the stream closes (then `onClosed`). A
 * non-fatal error is kept as the reason shown while reconnecting; the error a stream closes with is
 * fatal (the provider gave up: a wrong key, a refused subscription).
 */
export function followStream(stream: TonStream, consumer: ConsumerState, onClosed: () => void): void {
  let problem: string | undefined
  const offs = [
    stream.on('state', (state) => {
      if (state === 'subscribed') {
        problem = undefined
        consumer.set('subscribed')
      } else if (state === 'reconnecting') consumer.set('reconnecting', problem)
      else if (state === 'connecting' || state === 'idle') consumer.set('connecting')
    }),
    stream.on('error', (error) => {
      problem = shortReason(error, 32)
      if (stream.state === 'reconnecting') consumer.set('reconnecting', problem)
    }),
    stream.on('close', (error) => {
      for (const off of offs) off()
      onClosed()
      consumer.end(error)
    }),
  ]
}
