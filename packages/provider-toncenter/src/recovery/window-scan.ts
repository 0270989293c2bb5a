import type { Diagnostic } from '@chainstream/core'
import { safeAddress } from './trace-notifications.js'
import type { V3Client, V3Query } from './v3-client.js'
import { chunk, parallel } from './v3-lookups.js'

/** Accounts per API v3 list request. */
const ACCOUNT_BATCH = 50

/** Paging of a window scan. */
export interface ScanPaging {
  /** Items per page (1–1000). */
  pageSize: number
  /** Pages per batch of accounts before giving up with a `<label>-truncated` diagnostic. */
  maxPages: number
  /** Parallel requests. */
  concurrency: number
}

/** What a scan is for, in its diagnostics' codes: `backfill-truncated`, `reconcile-truncated`, … */
export type ScanLabel = 'backfill' | 'reconcile' | 'baseline'

/**
 * The API v3 trace ids of every committed trace with a transaction of one of `starts`' accounts at or after
 * that account's start (chain time), oldest first; with `includeActions`, also of every committed action
 * touching one of them (an account can be in an action without a transaction of its own in the trace).
 *
 * Paged with `sort=asc`: what is committed while the scan runs is appended at the end, so offsets stay
 * valid. Transactions without a trace id cannot be grouped and are reported.
 */
export async function scanWindow(
  client: V3Client,
  starts: ReadonlyMap<string, number>,
  includeActions: boolean,
  paging: ScanPaging,
  label: ScanLabel,
  signal: AbortSignal,
  report: (diagnostic: Diagnostic) => void,
): Promise<string[]> {
  const ids: string[] = []
  const seen = new Set<string>()
  const take = (id: string) => {
    if (seen.has(id)) return
    seen.add(id)
    ids.push(id)
  }
  const loose: string[] = []
  const batches = chunk([...starts.keys()], ACCOUNT_BATCH)
  const startOf = (raw: string) => {
    const account = safeAddress(raw)
    return account === undefined ? undefined : starts.get(account)
  }
  const pagesOf = async <T>(
    what: string,
    batch: string[],
    fetch: (query: V3Query) => Promise<T[]>,
    keep: (item: T) => void,
  ) => {
    let from = Number.POSITIVE_INFINITY
    for (const account of batch) from = Math.min(from, starts.get(account) ?? 0)
    const query: V3Query = { account: batch, start_utime: Math.max(0, Math.floor(from)), sort: 'asc' }
    for (let page = 0; ; page++) {
      if (page >= paging.maxPages) {
        report({
          code: `${label}-truncated`,
          message: `${label}: stopped after ${paging.maxPages} pages of ${paging.pageSize} ${what} of ${batch.length} accounts; later ones in the window were not looked at`,
        })
        return
      }
      const items = await fetch({ ...query, limit: paging.pageSize, offset: page * paging.pageSize })
      for (const item of items) keep(item)
      if (items.length < paging.pageSize) return
    }
  }
  await parallel(batches, paging.concurrency, async (batch) => {
    await pagesOf(
      'transactions',
      batch,
      (query) => client.transactions(query, signal),
      (tx) => {
        const start = startOf(tx.account)
        if (start === undefined || tx.now < start) return
        if (tx.trace_id) take(tx.trace_id)
        else loose.push(tx.hash)
      },
    )
    if (!includeActions) return
    await pagesOf(
      'actions',
      batch,
      (query) => client.actions(query, signal),
      (action) => {
        if (!action.trace_id) return
        const inWindow = (action.accounts ?? []).some((account) => {
          const start = startOf(account)
          return start !== undefined && action.end_utime >= start
        })
        if (inWindow) take(action.trace_id)
      },
    )
  })
  if (loose.length > 0) {
    report({
      code: `${label}-no-trace-id`,
      message: `${label}: ${loose.length} transactions have no trace_id and cannot be grouped into traces; they were skipped`,
      data: loose,
    })
  }
  return ids
}
