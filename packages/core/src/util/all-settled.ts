/**
 * Waits for every promise, then rejects with the first failure (in `promises` order) if there was one.
 * `Promise.all` rejects at the first failure while the others still run: a request already on the wire
 * would outlive the work that started it, and a stream's `close()` could resolve while it is in flight.
 */
export async function allSettled(promises: Iterable<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(promises)
  for (const result of results) if (result.status === 'rejected') throw result.reason
}
