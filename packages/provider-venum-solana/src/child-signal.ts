/**
 * Child signals that abort with their parent, through one listener on the parent however many children
 * are alive. Thousands of concurrent lookups under one watch would otherwise each add a listener to the
 * same signal (and trip Node's MaxListeners warning, which exists because that pattern usually leaks).
 */
const children = new WeakMap<AbortSignal, Set<AbortController>>()

/** A signal that aborts when `parent` does; call `dispose` when the work is over. */
export function childSignal(parent: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController()
  if (parent.aborted) {
    controller.abort(parent.reason)
    return { signal: controller.signal, dispose: () => {} }
  }
  let set = children.get(parent)
  if (!set) {
    const created = new Set<AbortController>()
    children.set(parent, created)
    parent.addEventListener(
      'abort',
      () => {
        for (const child of created) child.abort(parent.reason)
        created.clear()
      },
      { once: true },
    )
    set = created
  }
  set.add(controller)
  const owner = set
  return { signal: controller.signal, dispose: () => owner.delete(controller) }
}
