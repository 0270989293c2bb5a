import type { Outcome } from '@chainstream/core'

/**
 * Why one transaction of a trace counts as failed (see {@link traceOutcome}). Fields are copied from the
 * transaction's `description` as the server sent them; `reasons` says which rule matched, in words.
 */
export interface TonTransactionFailure {
  /** The transaction hash (base64). */
  readonly hash: string
  /** The account it ran on (raw `0:HEX`). */
  readonly account: string
  /** `description.aborted`. */
  readonly aborted: boolean | undefined
  /** `description.compute_ph.success`. */
  readonly computeSuccess: boolean | undefined
  /** `description.compute_ph.exit_code`. */
  readonly exitCode: number | undefined
  /** `description.action.success`. */
  readonly actionSuccess: boolean | undefined
  /** `description.action.result_code`. */
  readonly resultCode: number | undefined
  /** Which rules matched: `'aborted'`, `'compute phase not successful'`, `'exit code 9'`, `'action phase failed'`. */
  readonly reasons: readonly string[]
}

/**
 * The provider error of a TON trace with a failed transaction: the `error` of the lifecycle update (and
 * the `cause` of `TransactionFailed`). Its message names each failed transaction and why.
 */
export class TonTraceFailure extends Error {
  override readonly name = 'TonTraceFailure'
  /** The failed transactions, in the order the trace listed them. */
  readonly failures: readonly TonTransactionFailure[]

  constructor(traceExternalHashNorm: string, failures: readonly TonTransactionFailure[]) {
    const shown = failures
      .slice(0, 3)
      .map((f) => `${f.hash} on ${f.account} (${f.reasons.join(', ')})`)
      .join('; ')
    const more = failures.length > 3 ? `; and ${failures.length - 3} more` : ''
    super(
      `trace ${traceExternalHashNorm}: ${failures.length} transaction${failures.length === 1 ? '' : 's'} failed — ${shown}${more}`,
    )
    this.failures = failures
  }
}

/** What {@link traceOutcome} concluded. `outcome` is omitted when nothing can be said yet. */
export interface TonTraceOutcome {
  readonly outcome?: Exclude<Outcome, 'unknown'>
  readonly error?: TonTraceFailure
}

/** TVM exit codes that mean success: 0, and 1 ("alternative success", reserved by TVM). */
const SUCCESS_EXIT_CODES: ReadonlySet<number> = new Set([0, 1])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Why one transaction failed, or `undefined` when it did not. The rule, applied to `description`:
 *
 * - `aborted === true` → failed;
 * - a compute phase that ran (`compute_ph.skipped` is not `true`) with `success === false`, or with an
 *   `exit_code` other than 0 and 1 (the two exit codes TVM defines as success) → failed. A **skipped**
 *   compute phase (no state, no gas — a plain value transfer to an uninitialised account) is **not** a
 *   failure;
 * - an action phase with `action.success === false` → failed.
 *
 * Fields that are absent say nothing (a pending snapshot may not have them yet). Never throws, whatever
 * the shape of `tx`.
 */
export function transactionFailure(tx: unknown): TonTransactionFailure | undefined {
  if (!isObject(tx) || !isObject(tx.description)) return undefined
  const description = tx.description
  const compute = isObject(description.compute_ph) ? description.compute_ph : undefined
  const action = isObject(description.action) ? description.action : undefined
  const aborted = typeof description.aborted === 'boolean' ? description.aborted : undefined
  const computeSuccess = typeof compute?.success === 'boolean' ? compute.success : undefined
  const exitCode = typeof compute?.exit_code === 'number' ? compute.exit_code : undefined
  const actionSuccess = typeof action?.success === 'boolean' ? action.success : undefined
  const resultCode = typeof action?.result_code === 'number' ? action.result_code : undefined
  const reasons: string[] = []
  if (aborted === true) reasons.push('aborted')
  if (compute && compute.skipped !== true) {
    if (computeSuccess === false) reasons.push('compute phase not successful')
    if (exitCode !== undefined && !SUCCESS_EXIT_CODES.has(exitCode)) reasons.push(`exit code ${exitCode}`)
  }
  if (actionSuccess === false) {
    reasons.push(`action phase failed${resultCode !== undefined ? ` (result code ${resultCode})` : ''}`)
  }
  if (reasons.length === 0) return undefined
  return {
    hash: typeof tx.hash === 'string' ? tx.hash : '?',
    account: typeof tx.account === 'string' ? tx.account : '?',
    aborted,
    computeSuccess,
    exitCode,
    actionSuccess,
    resultCode,
    reasons,
  }
}

/**
 * The outcome of a TON trace, derived from its transactions (the map `hash → Transaction` of a `trace`
 * notification or an API v3 trace). **The rule:**
 *
 * 1. **failure** when any transaction failed by {@link transactionFailure}: `description.aborted === true`,
 *    or a compute phase that ran and is not successful (`compute_ph.success === false`, or an `exit_code`
 *    other than 0 and 1 — skipped compute phases are not failures), or a failed action phase
 *    (`action.success === false`). The `error` is a {@link TonTraceFailure} listing them. This holds at
 *    every finality, `pending` included: a failure seen in a pending (emulated) snapshot is recorded by the
 *    lifecycle but does not end it — the trace may still be invalidated, and the story ends when it
 *    finalizes (terminal `finalized`, outcome `failure`). Note that `reached()` rejects with
 *    `TransactionFailed` as soon as the failure is recorded, and a recorded failure is never turned back
 *    into success.
 * 2. **success** at `confirmed` and `finalized` when no transaction failed.
 * 3. **unknown** (omitted) at `pending` when no transaction failed: a pending snapshot is an emulation, so a
 *    clean one is no proof of success; and at any finality when the trace has no transactions or one of
 *    them has no `description` to read (a malformed payload never maps to success).
 *
 * @example
 * ```ts
 * traceOutcome(event.trace_external_hash_norm, event.finality, event.transactions)
 * // { outcome: 'failure', error: TonTraceFailure('trace …: 1 transaction failed — … (aborted, exit code 9)') }
 * ```
 */
export function traceOutcome(
  traceExternalHashNorm: string,
  finality: string,
  transactions: unknown,
): TonTraceOutcome {
  if (!isObject(transactions)) return {}
  const failures: TonTransactionFailure[] = []
  let count = 0
  let readable = true
  for (const tx of Object.values(transactions)) {
    count++
    if (!isObject(tx) || !isObject(tx.description)) readable = false
    const failure = transactionFailure(tx)
    if (failure) failures.push(failure)
  }
  if (failures.length > 0) {
    return { outcome: 'failure', error: new TonTraceFailure(traceExternalHashNorm, failures) }
  }
  if (count > 0 && readable && (finality === 'confirmed' || finality === 'finalized')) {
    return { outcome: 'success' }
  }
  return {}
}
