import { createVenum, type Venum } from '@chainstream/provider-venum-solana'

/** What a Venum config node is set to. */
export interface VenumConnectorSettings {
  /** Empty: Venum's public host. */
  baseUrl?: string
  apiKey: string | undefined
  /** SSE streams at once over all users (each carries up to 10 signatures). */
  maxStreams?: number
}

/**
 * Venum through `@chainstream/provider-venum-solana`: the one place that calls `createVenum`.
 *
 * @throws when the settings are invalid (no key, a bad URL).
 */
export function createVenumClient(settings: VenumConnectorSettings): Venum {
  if (!settings.apiKey) throw new Error('Venum: an API key is required (set it in the configuration node)')
  return createVenum({
    apiKey: settings.apiKey,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl.replace(/\/+$/, '') } : {}),
    ...(settings.maxStreams !== undefined ? { maxStreams: settings.maxStreams } : {}),
  })
}
