import { ChainstreamError } from '@chainstream/core'
import type { LifecycleSourceV1 } from '@chainstream/core/provider'
import { registerChainHint } from '@chainstream/core/provider'
import { createVenumLifecycleSource } from './lifecycle-source.js'
import { RequestLimiter } from './request-limiter.js'
import { clientStreams } from './shard-pool.js'
import { validateSignatures } from './signature.js'
import { RateGate, StreamSlots } from './stream-slots.js'
import { fetchTxStatus, type VenumTxStatus } from './tx-status.js'
import { resolveVenumOptions, type VenumOptions } from './venum-options.js'
import { VENUM_EVENTS, type VenumEvent } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'
import { createWatch, type WatchResources } from './venum-watch.js'
import type { VenumWatch, VenumWatchOptions } from './venum-watch-types.js'
import { SignatureWaiters, type WaitForOptions } from './wait-for.js'

// REST calls in flight per client: enough for prompt snapshots, few enough to be a polite client.
const MAX_CONCURRENT_LOOKUPS = 16

/** A Venum client: transaction-status streams, lookups and waits for Solana signatures. */
export interface Venum {
  /** `'venum'`. */
  readonly providerId: 'venum'
  /**
   * Ends every watch of the client with a `Closed` error (waits reject with it, a tracker's signatures
   * end `errored`) and with them its streams. The client takes no new watch afterwards.
   */
  close(): Promise<void>
  /**
   * This client as a lifecycle source for the cross-chain tracker: pass the client itself to
   * `createTracker({ providers: [venum] })` (chain `'solana'`, ids are signatures).
   */
  readonly lifecycle: LifecycleSourceV1
  /**
   * Watches any number of signatures: sharded into streams of at most 10, at most `maxStreams` at once
   * (the rest queue), a REST snapshot after every (re)connect, merged by the finality rules; 503 falls
   * back to polling. The streams are the client's, shared with its other watches, waits and tracker (see
   * `shared`): a signature another consumer already watches joins its stream, and the watch starts from
   * what that stream said so far. Throws `InvalidArgument` before any request for a bad signature or
   * event name.
   *
   * @example
   * ```ts
   * const watch = venum.watch({ signatures: [signature] })
   * await watch.ready // subscribed: now send the transaction
   * for await (const update of watch) console.log(update.status, update.source)
   * ```
   */
  watch(options: VenumWatchOptions): VenumWatch
  /**
   * `GET /v1/tx/:signature`, typed, with retries of 429/502/503/504. `status: 'error'` is returned as is
   * (the lookup failed, see `reason`); HTTP errors reject typed (`Unauthorized`, `RateLimited`, …).
   *
   * @example
   * ```ts
   * const { status, confirmationStatus, tier, outcome } = await venum.status(signature)
   * ```
   */
  status(signature: string, options?: { signal?: AbortSignal }): Promise<VenumTxStatus>
  /**
   * Resolves once `signature` reached `tier` (or higher) without failing. Rejects typed:
   * `TransactionFailed`; `WaitTimeout` (on `timeoutMs`, or Venum's `timeout`/`verify-timeout` — the
   * message says the outcome is unknown); `Aborted` (an abort never resolves); `ServerError` when Venum
   * could not watch it; the fatal error of the stream (`Unauthorized`, …). Every wait of a client shares
   * one multiplexed watch (every tier requested, so no stream ends early), which rides the client's
   * streams like any watch: many concurrent waits need few streams, and a wait for a signature that is
   * already watched needs no new one.
   *
   * @example
   * ```ts
   * try {
   *   await venum.waitFor(signature, 'confirmed', { timeoutMs: 60_000 })
   * } catch (error) {
   *   if (isChainstreamError(error, 'TransactionFailed')) … // it failed on chain
   *   else if (isChainstreamError(error, 'WaitTimeout')) …  // unknown: check again, do not re-sign yet
   * }
   * ```
   */
  waitFor(signature: string, tier: VenumEvent, options?: WaitForOptions): Promise<VenumUpdate>
}

/**
 * Creates a Venum client. Validates the options (throws `InvalidArgument` naming each bad field) and
 * registers the key for redaction, so it never appears in errors or logs.
 *
 * @example
 * ```ts
 * import { createVenum } from '@chainstream/provider-venum-solana'
 *
 * const venum = createVenum({ apiKey: process.env.VENUM_API_KEY! })
 * const update = await venum.waitFor(signature, 'confirmed', { timeoutMs: 60_000 })
 * ```
 */
export function createVenum(options: VenumOptions): Venum {
  const config = resolveVenumOptions(options)
  // So that a tracker missing this client says what to add.
  registerChainHint('solana', "createVenum({ apiKey }) from '@chainstream/provider-venum-solana'")
  const limiter = new RequestLimiter(MAX_CONCURRENT_LOOKUPS)
  const open = new Set<{ terminate(error: ChainstreamError): Promise<void> }>()
  let closed = false
  const resources: WatchResources = {
    config,
    limiter,
    open,
    streams: clientStreams({
      config,
      slots: new StreamSlots(config.maxStreams),
      limiter,
      gate: new RateGate(config.maxPollsPerSecond),
    }),
  }
  const watch = (watchOptions: VenumWatchOptions) => {
    if (closed)
      throw new ChainstreamError('Closed', 'This Venum client was closed; create a new one', {
        isRetryable: false,
      })
    return createWatch(resources, watchOptions)
  }
  const waiters = new SignatureWaiters(() =>
    createWatch(resources, { signatures: [], events: VENUM_EVENTS }, { persistent: true }),
  )
  return {
    providerId: 'venum',
    lifecycle: createVenumLifecycleSource(resources),
    watch,
    status: async (signature, statusOptions = {}) => {
      const [valid] = validateSignatures([signature], 'signature')
      return resources.limiter.run(() => fetchTxStatus(config, valid as string, statusOptions.signal))
    },
    waitFor: (signature, tier, waitOptions) => waiters.wait(signature, tier, waitOptions),
    close: async () => {
      closed = true
      // Every watch, the waits' shared one and the tracker's included, ends with `Closed` (waits reject,
      // tracks end errored), and their streams close with them.
      const reason = new ChainstreamError('Closed', 'The Venum client was closed', { isRetryable: false })
      await Promise.all([...open].map((w) => w.terminate(reason)))
    },
  }
}
