/**
 * A config node's provider client, created when a node first needs it: a config node nobody uses makes
 * no client, and a configuration error (no key, a bad URL) is found then — reported once through
 * `onInvalid` (logged by the config node, shown red on the nodes) and thrown to every caller, so each
 * node can end its message with it. The settings cannot change without a redeploy, so neither can the
 * outcome: both are kept.
 */
export function lazyClient<T>(create: () => T, onInvalid: (error: unknown) => void): () => T {
  let outcome: { client: T } | { error: unknown } | undefined
  return () => {
    if (!outcome) {
      try {
        outcome = { client: create() }
      } catch (error) {
        outcome = { error }
        onInvalid(error)
      }
    }
    if ('error' in outcome) throw outcome.error
    return outcome.client
  }
}
