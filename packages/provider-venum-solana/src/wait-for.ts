import { ChainstreamError } from '@chainstream/core'
import {
  abortError,
  evaluateWait,
  onAbort,
  reduceLifecycle,
  toChainstreamError,
  type WaitEvaluation,
} from '@chainstream/core/provider'
import { validateSignatures } from './signature.js'
import { isVenumEvent, VENUM_EVENTS, VENUM_TIERS, type VenumEvent } from './venum-statuses.js'
import type { VenumUpdate } from './venum-update.js'
import type { VenumWatch } from './venum-watch-types.js'

/** Options of `venum.waitFor()`. */
export interface WaitForOptions {
  /**
   * Stop waiting after this long and reject with `WaitTimeout` — which says the outcome is **unknown**:
   * the transaction may still land. Omitted: wait until Venum itself ends the watch.
   */
  timeoutMs?: number
  /** Aborting rejects with `Aborted`. An abort never resolves, even at the target tier. */
  signal?: AbortSignal
}

/** One pending `waitFor`, as the dispatcher sees it. */
interface Waiter {
  update(update: VenumUpdate): void
  closed(error: ChainstreamError): void
}

/** Checks the arguments of `waitFor`; throws `InvalidArgument`. */
function checkArguments(signature: string, tier: VenumEvent, options: WaitForOptions): void {
  validateSignatures([signature], 'signature')
  if (!isVenumEvent(tier)) {
    throw new ChainstreamError(
      'InvalidArgument',
      `waitFor tier must be one of ${VENUM_EVENTS.map((e) => `'${e}'`).join(', ')}; got ${JSON.stringify(tier)}`,
      { isRetryable: false },
    )
  }
  const { timeoutMs } = options
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
  ) {
    throw new ChainstreamError(
      'InvalidArgument',
      `timeoutMs must be a number ≥ 0, got ${String(timeoutMs)}`,
      {
        isRetryable: false,
      },
    )
  }
}

/**
 * Every `waitFor` of a client shares one multiplexed watch (opened on first use), a consumer of the
 * client's streams like any watch: a thousand waits need a hundred streams, not a thousand queued behind
 * `maxStreams`, and a wait for a signature a watch or the tracker already follows rides that signature's
 * stream and starts from what it said. A signature is watched while at
 * least one wait needs it, with every tier requested (so its stream never ends at a lower tier that
 * another wait has passed), and forgotten when the last one settles.
 */
export class SignatureWaiters {
  #watch: VenumWatch | undefined
  readonly #waiters = new Map<string, Set<Waiter>>()
  readonly #last = new Map<string, VenumUpdate>()
  readonly #open: () => VenumWatch

  constructor(open: () => VenumWatch) {
    this.#open = open
  }

  /**
   * Waits until `signature` reached `tier` with an outcome other than failure (rule 8 of the finality
   * model), and resolves with the update that showed it. Rejects with `TransactionFailed`, `WaitTimeout`
   * (our `timeoutMs`, or Venum's `timeout`/`verify-timeout`: the outcome is unknown), `ServerError`
   * (Venum could not watch it), `Aborted`, or the watch's fatal error (`Unauthorized`, …).
   */
  wait(signature: string, tier: VenumEvent, options: WaitForOptions = {}): Promise<VenumUpdate> {
    try {
      checkArguments(signature, tier, options)
    } catch (error) {
      return Promise.reject(error)
    }
    const { signal, timeoutMs } = options
    if (signal?.aborted)
      return Promise.reject(abortError(signal, `waiting for ${signature} to reach ${tier}`))
    const target = VENUM_TIERS[tier]

    return new Promise<VenumUpdate>((resolve, reject) => {
      const watch = this.#sharedWatch()
      let settled = false
      let timer: ReturnType<typeof setTimeout> | undefined
      let stopAbort: () => void = () => {}
      const settle = (verdict: WaitEvaluation) => {
        if (settled || verdict.kind === 'pending') return
        const last = this.#last.get(signature)
        if (verdict.kind === 'resolved' && last === undefined) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        stopAbort()
        this.#release(signature, waiter)
        if (verdict.kind === 'resolved') resolve(last as VenumUpdate)
        else reject(verdict.error)
      }
      const check = () => {
        const state = watch.lifecycle(signature)
        if (state) settle(evaluateWait(state, target))
      }
      // A local end is folded into a copy of the state, so the verdict (and its typed error) is the one
      // the finality model gives: a failure seen before still wins over a time-out or an abort.
      const endLocally = (status: 'timed_out' | 'aborted', reason: string, error?: unknown) => {
        const state = watch.lifecycle(signature)
        const fallback = (): ChainstreamError =>
          status === 'aborted'
            ? abortError(signal, `waiting for ${signature} to reach ${tier}`)
            : new ChainstreamError(
                'WaitTimeout',
                `waiting for ${signature} to reach ${tier}: ${reason}; the outcome is UNKNOWN`,
              )
        if (!state) return settle({ kind: 'rejected', error: fallback() })
        const ended = reduceLifecycle(state, {
          kind: 'watch',
          status,
          reason,
          at: Date.now(),
          ...(error !== undefined ? { error } : {}),
        }).state
        const verdict = evaluateWait(ended, target)
        // Never resolve here: a wait that reached its tier has already been resolved by the update.
        settle(verdict.kind === 'rejected' ? verdict : { kind: 'rejected', error: fallback() })
      }
      const waiter: Waiter = {
        update: () => check(),
        closed: (error) => settle({ kind: 'rejected', error }),
      }
      this.#register(watch, signature, waiter)
      check()
      if (settled) return
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => endLocally('timed_out', `no ${tier} within ${timeoutMs} ms (timeoutMs)`),
          timeoutMs,
        )
      }
      stopAbort = onAbort(signal, () => endLocally('aborted', 'the signal was aborted', signal?.reason))
    })
  }

  #sharedWatch(): VenumWatch {
    if (this.#watch) return this.#watch
    const watch = this.#open()
    this.#watch = watch
    watch.on('update', (update) => {
      const set = this.#waiters.get(update.signature)
      if (!set) return
      this.#last.set(update.signature, update)
      for (const waiter of [...set]) waiter.update(update)
    })
    watch.on('close', (error) => {
      if (this.#watch === watch) this.#watch = undefined
      const reason =
        error ?? new ChainstreamError('Closed', 'the watch behind waitFor was closed', { isRetryable: false })
      for (const set of [...this.#waiters.values()]) for (const waiter of [...set]) waiter.closed(reason)
    })
    return watch
  }

  #register(watch: VenumWatch, signature: string, waiter: Waiter): void {
    let set = this.#waiters.get(signature)
    if (!set) {
      set = new Set()
      this.#waiters.set(signature, set)
      this.#last.delete(signature)
      watch.add([signature]).catch((error: unknown) => {
        const failure = toChainstreamError(error, 'ServerError')
        for (const pending of [...(this.#waiters.get(signature) ?? [])]) pending.closed(failure)
      })
    }
    set.add(waiter)
  }

  #release(signature: string, waiter: Waiter): void {
    const set = this.#waiters.get(signature)
    if (!set?.delete(waiter) || set.size > 0) return
    this.#waiters.delete(signature)
    this.#last.delete(signature)
    void this.#watch?.remove([signature])
  }
}
