import type { LifecycleSourceV1, LifecycleWatch } from '@chainstream/core/provider'
import type { Venum, VenumWatch, VenumWatchOptions } from '@chainstream/provider-venum-solana'
import { ConnectionStateMachine } from '../connection/connection-state.js'
import { ConsumerStates } from '../connection/consumer-states.js'
import { followedLifecycle } from '../connection/followed-lifecycle.js'
import { lazyClient } from '../connection/lazy-client.js'
import { followWatch } from './venum-watch-phase.js'

/** What a Venum config node holds now, for leak checks. */
export interface VenumConfigClientStats {
  /** `solana-tx-status` watches not ended yet. */
  readonly watches: number
  /** Watches opened since the config node started. */
  readonly opened: number
  /** Trackers' lifecycle watches not closed yet. */
  readonly lifecycleWatches: number
  /** Nodes showing the config node's status. */
  readonly statusListeners: number
}

/**
 * A Venum config node's one client, and the watches its nodes open on it. Sharing is the client's: one
 * pool of shard streams carries every watch and tracker of the client (a signature two nodes watch is on
 * one stream) within `maxStreams`, with its snapshots and polling fallback. What is left here is
 * Node-RED's part: the client is made on first use, every watch is closed with the config node (the
 * client itself has no `close()`), and the status every node shows is one state machine folded from the
 * watches'.
 */
export class VenumConfigClient {
  readonly state = new ConnectionStateMachine()
  /** For the cross-chain tracker: signature lifecycles from this same client. */
  readonly lifecycle: LifecycleSourceV1
  private readonly consumers = new ConsumerStates(this.state)
  private readonly watches = new Set<VenumWatch>()
  private readonly lifecycleWatches = new Set<LifecycleWatch>()
  private readonly client: () => Venum
  private opened = 0
  private isClosed = false

  /**
   * @param create makes the client (the adapter), once, on first use.
   * @param onInvalid the client could not be made: the config node logs why.
   */
  constructor(create: () => Venum, onInvalid?: (error: unknown) => void) {
    this.client = lazyClient(create, (error) => {
      this.consumers.fail(error)
      onInvalid?.(error)
    })
    this.lifecycle = followedLifecycle(
      { chain: 'solana', providerId: 'venum' },
      () => this.client().lifecycle,
      this.consumers,
      this.lifecycleWatches,
    )
  }

  /** `venum.watch(options)`, followed by the status; throws a bad signature or configuration error. */
  watch(options: VenumWatchOptions): VenumWatch {
    if (this.isClosed) throw new Error('the configuration node is closed')
    const watch = this.client().watch(options)
    this.opened++
    this.watches.add(watch)
    followWatch(watch, this.consumers.add(), () => this.watches.delete(watch))
    return watch
  }

  stats(): VenumConfigClientStats {
    return {
      watches: this.watches.size,
      opened: this.opened,
      lifecycleWatches: this.lifecycleWatches.size,
      statusListeners: this.state.size,
    }
  }

  /** Closes every watch of the client (the config node is closing). Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true
    const open = [...this.watches, ...this.lifecycleWatches]
    await Promise.all(open.map((watch) => watch.close()))
    this.consumers.clear()
  }
}
