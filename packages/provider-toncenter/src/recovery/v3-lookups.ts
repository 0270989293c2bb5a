import { allSettled } from '@chainstream/core/provider'
import { traceHashOf } from './trace-facts.js'
import type { V3Client, V3Trace } from './v3-client.js'

/** Ids or hashes per API v3 request: they travel in the query string. */
export const ID_BATCH = 50

/** Splits `items` into runs of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Runs at most `concurrency` tasks at once, across every call that shares it. */
export class Limiter {
  #active = 0
  readonly #queue: (() => void)[] = []

  constructor(readonly concurrency: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next queued one.
    if (this.#active >= this.concurrency) await new Promise<void>((resolve) => this.#queue.push(resolve))
    else this.#active++
    try {
      return await task()
    } finally {
      const next = this.#queue.shift()
      if (next) next()
      else this.#active--
    }
  }
}

/** How many requests may be in flight: a number for one call, or a {@link Limiter} several calls share. */
export type Concurrency = number | Limiter

/**
 * Runs `work` over `items` with at most `concurrency` in flight. After a failure no new item starts; it
 * rejects with that failure once the items in flight have settled, so no request outlives the call.
 */
export async function parallel<T>(
  items: readonly T[],
  concurrency: Concurrency,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  let failed = false
  // Marked failed before a shared slot is handed on: the item waiting for it must see the failure.
  const attempt = async (item: T) => {
    try {
      await work(item)
    } catch (error) {
      failed = true
      throw error
    }
  }
  const limiter = typeof concurrency === 'number' ? undefined : concurrency
  const run = limiter ? (item: T) => limiter.run(async () => (failed ? undefined : attempt(item))) : attempt
  const worker = async () => {
    while (next < items.length && !failed) await run(items[next++] as T)
  }
  const workers = Math.min(limiter ? limiter.concurrency : (concurrency as number), items.length)
  await allSettled(Array.from({ length: workers }, worker))
}

/** Committed traces by API v3 trace id (`/traces?trace_id=`, actions included). */
export async function tracesById(
  client: V3Client,
  ids: readonly string[],
  concurrency: Concurrency,
  signal: AbortSignal,
): Promise<V3Trace[]> {
  const out: V3Trace[] = []
  await parallel(chunk(ids, ID_BATCH), concurrency, async (batch) => {
    out.push(
      ...(await client.traces(
        { trace_id: batch, include_actions: true, limit: batch.length, sort: 'asc' },
        signal,
      )),
    )
  })
  return out
}

/** A trace to look up: its hash, and its API v3 id when known (the exact key). */
export interface LookupTarget {
  readonly hash: string
  readonly traceId?: string | undefined
}

/** What API v3 knows about a set of traces now. */
export interface LookupResult {
  /** Committed (confirmed or finalized), by trace hash. */
  readonly committed: Map<string, V3Trace>
  /** Known only as pending (emulated), by trace hash. */
  readonly pending: Map<string, V3Trace>
}

/**
 * Looks traces up: committed ones by trace id where known, else by `msg_hash` (which accepts the external
 * hash norm), then the rest in `/pendingTraces`. What is in neither is gone — invalidated, or not yet
 * indexed (callers allow a grace before concluding). Batches of {@link ID_BATCH}, at most `concurrency` in
 * flight; rejects with the first failed request once the others have settled.
 */
export async function lookupTraces(
  client: V3Client,
  targets: readonly LookupTarget[],
  concurrency: Concurrency,
  signal: AbortSignal,
): Promise<LookupResult> {
  const wanted = new Set(targets.map((target) => target.hash))
  const committed = new Map<string, V3Trace>()
  const take = (trace: V3Trace) => {
    const hash = traceHashOf(trace)
    if (hash !== undefined && wanted.has(hash)) committed.set(hash, trace)
  }
  const ids = targets.flatMap((target) => (target.traceId ? [target.traceId] : []))
  for (const trace of await tracesById(client, ids, concurrency, signal)) take(trace)
  const byHash = [...wanted].filter((hash) => !committed.has(hash))
  await parallel(chunk(byHash, ID_BATCH), concurrency, async (batch) => {
    const query = {
      msg_hash: batch,
      include_actions: true,
      limit: Math.min(1000, batch.length * 2),
      sort: 'asc',
    }
    for (const trace of await client.traces(query, signal)) take(trace)
  })
  const pending = new Map<string, V3Trace>()
  const rest = [...wanted].filter((hash) => !committed.has(hash))
  await parallel(chunk(rest, ID_BATCH), concurrency, async (batch) => {
    // An explicit limit: list endpoints answer 10 items by default, and a missing trace reads as gone.
    const query = { ext_msg_hash: batch, limit: Math.min(1000, batch.length * 2) }
    for (const trace of await client.pendingTraces(query, signal)) {
      const hash = traceHashOf(trace)
      if (hash !== undefined && wanted.has(hash) && !committed.has(hash)) pending.set(hash, trace)
    }
  })
  return { committed, pending }
}
