/** A promise settled from outside, that never becomes an unhandled rejection when nobody awaits it. */
export interface Settlement {
  readonly promise: Promise<void>
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * A batch's promise: created before anyone knows whether it will be awaited (a change nobody waits for,
 * a member that left), so a rejection must be handled here.
 */
export function settlement(): Settlement {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => {})
  return { promise, resolve, reject }
}
