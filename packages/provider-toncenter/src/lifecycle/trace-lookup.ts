import { allSettled } from '@chainstream/core/provider'
import type { TraceNode } from '../protocol/v3-types.js'
import { traceFinality, traceHashOf } from '../recovery/trace-facts.js'
import type { V3Client, V3Trace } from '../recovery/v3-client.js'
import type { TonEvent } from '../ton-event.js'

/** Hashes per API v3 request (they travel in the query string). */
const BATCH = 50

/** What API v3 knows about a set of trace hashes. */
export interface TraceLookup {
  /** Committed traces (confirmed or finalized), by `trace_external_hash_norm`. */
  readonly committed: Map<string, V3Trace>
  /** Traces only known as pending (emulated), by `trace_external_hash_norm`. */
  readonly pending: Map<string, V3Trace>
}

/** Runs at most `concurrency` tasks at once. */
export class Limiter {
  private active = 0
  private readonly queue: (() => void)[] = []

  constructor(private readonly concurrency: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next queued one.
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve))
    else this.active++
    try {
      return await task()
    } finally {
      const next = this.queue.shift()
      if (next) next()
      else this.active--
    }
  }
}

/**
 * Looks trace hashes up in TON Center API v3: `/traces?msg_hash=` (which accepts the external hash norm)
 * for committed traces, then `/pendingTraces?ext_msg_hash=` for the rest. Batched, at most
 * `limiter`'s concurrency in flight. Rejects with the first failed request.
 */
export async function lookupTraces(
  client: V3Client,
  hashes: readonly string[],
  limiter: Limiter,
  signal: AbortSignal,
): Promise<TraceLookup> {
  const wanted = new Set(hashes)
  const committed = new Map<string, V3Trace>()
  const pending = new Map<string, V3Trace>()
  await allSettled(
    chunk(hashes, BATCH).map((batch) =>
      limiter.run(async () => {
        const traces = await client.traces(
          { msg_hash: batch, include_actions: true, limit: Math.min(1000, batch.length * 2), sort: 'asc' },
          signal,
        )
        for (const trace of traces) {
          const hash = traceHashOf(trace)
          if (hash !== undefined && wanted.has(hash)) committed.set(hash, trace)
        }
      }),
    ),
  )
  const rest = hashes.filter((hash) => !committed.has(hash))
  await allSettled(
    chunk(rest, BATCH).map((batch) =>
      limiter.run(async () => {
        // An explicit limit: list endpoints default to 10 items.
        const traces = await client.pendingTraces(
          { ext_msg_hash: batch, limit: Math.min(1000, batch.length * 2) },
          signal,
        )
        for (const trace of traces) {
          const hash = traceHashOf(trace)
          if (hash !== undefined && wanted.has(hash) && !committed.has(hash)) pending.set(hash, trace)
        }
      }),
    ),
  )
  return { committed, pending }
}

/** The finality of a looked-up trace: its own for committed ones, `pending` for pending ones. */
export function lookedUpFinality(trace: V3Trace, pending: boolean) {
  return pending ? ('pending' as const) : traceFinality(trace)
}

/**
 * An API v3 trace as the `trace` notification the stream would have sent (`source: 'snapshot'`, or
 * `'reconciled'` when a reconciliation found it), so that every lifecycle update carries the same shape of
 * `data`. When v3 gave no tree, the tree is the root transaction alone.
 */
export function snapshotEvent(
  hash: string,
  finality: 'pending' | 'confirmed' | 'finalized',
  trace: V3Trace,
  source: 'snapshot' | 'reconciled' = 'snapshot',
): TonEvent<'trace'> {
  const root = trace.transactions_order?.[0] ?? Object.keys(trace.transactions)[0] ?? ''
  const tree: TraceNode = trace.trace ?? { tx_hash: root, in_msg_hash: null, children: [] }
  return {
    type: 'trace',
    finality,
    trace_external_hash_norm: hash,
    trace: tree,
    transactions: trace.transactions,
    ...(trace.actions ? { actions: trace.actions } : {}),
    source,
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
