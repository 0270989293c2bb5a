import { createTonapi } from '@chainstream/provider-tonapi'
import type { TonLifecycleOptions, TonNetwork, TonServiceClient } from '@chainstream/provider-toncenter'
import { createToncenter } from '@chainstream/provider-toncenter'
import { apiKeyOf, KEY_VARIABLES } from '../options/api-keys.js'
import { usageError } from '../usage.js'

/** The TON services the CLI talks to. */
export type TonProviderName = 'toncenter' | 'tonapi'

/** How to reach a TON service: from the flags, or the simulator's endpoints. */
export interface TonConnectOptions {
  readonly provider?: TonProviderName | undefined
  readonly network?: TonNetwork | undefined
  readonly baseUrl?: string | undefined
  readonly lifecycle?: TonLifecycleOptions
}

/** A TON client and how to name it in status lines (never with its key). */
export interface TonConnection {
  readonly client: TonServiceClient
  readonly label: string
}

/**
 * A TON Center or TonAPI client with its key from the environment. Without `--provider`, TON Center is
 * used when its key is set, else TonAPI when its key is set. A key is required unless `--base-url` names a
 * server of one's own (which may need none).
 *
 * @throws {ChainstreamError} `InvalidArgument` naming the variable to set (the CLI exits 64).
 */
export function connectTon(options: TonConnectOptions, env: Readonly<Record<string, string | undefined>>) {
  const toncenterKey = apiKeyOf(env, 'toncenter')
  const tonapiKey = apiKeyOf(env, 'tonapi')
  const provider = options.provider ?? (toncenterKey === undefined && tonapiKey ? 'tonapi' : 'toncenter')
  const apiKey = provider === 'toncenter' ? toncenterKey : tonapiKey
  if (apiKey === undefined && options.baseUrl === undefined) {
    throw usageError(
      provider === 'toncenter'
        ? `TON Center needs an API key: set ${KEY_VARIABLES.toncenter} (or ${KEY_VARIABLES.tonapi} to use TonAPI), or try it with --simulate.`
        : `TonAPI needs an API key: set ${KEY_VARIABLES.tonapi}, or try it with --simulate.`,
    )
  }
  const common = {
    apiKey,
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
  }
  const client: TonServiceClient =
    provider === 'toncenter'
      ? createToncenter(common)
      : createTonapi({ ...common, toncenterApiKey: toncenterKey })
  const where = options.baseUrl ?? (options.network === 'testnet' ? 'testnet' : 'mainnet')
  return {
    client,
    label: `${provider === 'toncenter' ? 'TON Center' : 'TonAPI'} (${where})`,
  } satisfies TonConnection
}

/**
 * A TON Center or TonAPI client on a local simulator, which serves both (any non-empty key is accepted
 * there); TonAPI reads the simulator's API v3 for recovery, as it would read TON Center's.
 */
export function connectTonSimulator(
  simulator: { readonly url: string; readonly v3BaseUrl: string },
  provider: TonProviderName | undefined,
  lifecycle?: TonLifecycleOptions,
): TonConnection {
  const common = {
    apiKey: 'simulator',
    baseUrl: simulator.url,
    ...(lifecycle === undefined ? {} : { lifecycle }),
  }
  const client: TonServiceClient =
    provider === 'tonapi'
      ? createTonapi({ ...common, v3BaseUrl: simulator.v3BaseUrl })
      : createToncenter(common)
  return {
    client,
    label: `${provider === 'tonapi' ? 'TonAPI' : 'TON Center'} simulator ${simulator.url}`,
  }
}
