/**
 * How to configure a provider for a chain, as providers describe themselves: when a provider client is
 * created, it says which chain it serves and how it is made (`createVenum({ apiKey }) from …`). The
 * tracker uses this to say what to add when a track names a chain it was not given — the common mistake
 * is a client created but not passed — without core naming any provider package itself. Process-wide
 * (shared through a global symbol, so two copies of core agree); the newest hint of a chain wins.
 */
const REGISTRY_KEY = Symbol.for('chainstream.chainHints')

type HintRegistry = Map<string, string>

function registry(): HintRegistry {
  const g = globalThis as unknown as Record<symbol, HintRegistry | undefined>
  let hints = g[REGISTRY_KEY]
  if (!hints) {
    hints = new Map()
    g[REGISTRY_KEY] = hints
  }
  return hints
}

/**
 * Records how a provider for `chain` is configured, for the tracker's `ProviderNotConfigured` message.
 * Provider packages call it when a client is created.
 *
 * @example
 * ```ts
 * registerChainHint('solana', "createVenum({ apiKey }) from '@chainstream/provider-venum-solana'")
 * ```
 */
export function registerChainHint(chain: string, hint: string): void {
  registry().set(chain, hint)
}

/** The hint a provider registered for `chain`, if any. */
export function chainHint(chain: string): string | undefined {
  return registry().get(chain)
}
