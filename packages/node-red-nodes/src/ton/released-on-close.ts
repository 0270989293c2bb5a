import type { TonStream } from '@chainstream/provider-toncenter'

/**
 * `stream` as a caller that closes it (the provider's lifecycle watch, when its tracker closes) sees it,
 * with `close()` handing it back to the config node instead: released like a `ton-stream` node's
 * stream, it keeps the connection through a redeploy. The caller removes its listeners before it
 * closes, so nothing reaches it afterwards.
 */
export function releasedOnClose(stream: TonStream, release: (stream: TonStream) => void): TonStream {
  return {
    get state() {
      return stream.state
    },
    get counters() {
      return stream.counters
    },
    get subscription() {
      return stream.subscription
    },
    get error() {
      return stream.error
    },
    get closed() {
      return stream.closed
    },
    on: stream.on.bind(stream) as TonStream['on'],
    update: (change) => stream.update(change),
    unsubscribe: (remove) => stream.unsubscribe(remove),
    waitSubscribed: (options) => stream.waitSubscribed(options),
    start: () => stream.start(),
    close: async () => release(stream),
    [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
  }
}
