import { createVenum, type Venum } from '@chainstream/provider-venum-solana'
import { apiKeyOf, KEY_VARIABLES } from '../options/api-keys.js'
import { usageError } from '../usage.js'

/** A Venum client and how to name it in status lines (never with its key). */
export interface VenumConnection {
  readonly client: Venum
  readonly label: string
}

/**
 * A Venum client with `VENUM_API_KEY` from the environment.
 *
 * @throws {ChainstreamError} `InvalidArgument` naming the variable to set (the CLI exits 64).
 */
export function connectVenum(
  baseUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): VenumConnection {
  const apiKey = apiKeyOf(env, 'venum')
  if (apiKey === undefined) {
    throw usageError(`Venum needs an API key: set ${KEY_VARIABLES.venum}, or try it with --simulate.`)
  }
  const client = createVenum({ apiKey, ...(baseUrl === undefined ? {} : { baseUrl }) })
  return { client, label: `Venum (${baseUrl ?? 'api.venum.dev'})` }
}

/** A Venum client on a local simulator, with the simulator's key. */
export function connectVenumSimulator(url: string, apiKey: string): VenumConnection {
  return { client: createVenum({ apiKey, baseUrl: url }), label: `Venum simulator ${url}` }
}
