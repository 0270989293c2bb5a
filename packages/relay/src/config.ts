import { ChainstreamError, type Logger } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { z } from 'zod'
import type { RelayOptions } from './relay.js'

/**
 * The relay command's configuration file (JSON). Secrets are never in it: API keys and NATS credentials
 * come from the environment (`TONCENTER_API_KEY`, `VENUM_API_KEY`, `NATS_TOKEN` or `NATS_USER` +
 * `NATS_PASS`).
 *
 * @example
 * ```json
 * { "nats": { "servers": ["127.0.0.1:4222"] }, "ton": { "network": "mainnet" }, "solana": {} }
 * ```
 */
export interface RelayConfig {
  nats: { servers: string | string[] }
  /** TON Center; omit to relay no TON. */
  ton?: { network?: 'mainnet' | 'testnet'; baseUrl?: string; v3BaseUrl?: string }
  /** Venum (Solana tracking); omit to relay no Solana. */
  solana?: { baseUrl?: string }
  names?: { stream?: string; prefix?: string; demandBucket?: string; tracksBucket?: string }
  duplicateWindowMs?: number
  maxAgeMs?: number
}

const server = z.string().regex(/^[^\s]+:\d+$/, 'must be host:port, like "127.0.0.1:4222"')
const name = z.string().regex(/^[-\w]+$/, 'may hold only letters, digits, "-" and "_"')

const configSchema = z.strictObject({
  nats: z.strictObject({ servers: z.union([server, z.array(server).min(1)]) }),
  ton: z
    .strictObject({
      network: z.enum(['mainnet', 'testnet']).optional(),
      baseUrl: z.url().optional(),
      v3BaseUrl: z.url().optional(),
    })
    .optional(),
  solana: z.strictObject({ baseUrl: z.url().optional() }).optional(),
  names: z
    .strictObject({
      stream: name.optional(),
      prefix: name.optional(),
      demandBucket: name.optional(),
      tracksBucket: name.optional(),
    })
    .optional(),
  duplicateWindowMs: z.number().int().min(1_000).optional(),
  maxAgeMs: z.number().int().min(1_000).optional(),
})

/**
 * Reads a configuration file's text.
 *
 * @throws {ChainstreamError} `InvalidArgument` naming the file and every field that is wrong.
 */
export function parseRelayConfig(text: string, file: string): RelayConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      { isRetryable: false },
    )
  }
  const result = configSchema.safeParse(raw)
  if (!result.success) {
    const details = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
      .join('; ')
    throw new ChainstreamError('InvalidArgument', `${file}: ${details}`, { isRetryable: false })
  }
  const config = result.data as RelayConfig
  if (!config.ton && !config.solana) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${file}: configure at least one of "ton" and "solana" (an empty object uses the public service)`,
      { isRetryable: false },
    )
  }
  return config
}

/**
 * The relay's options from a configuration and the environment: the provider clients with their keys.
 *
 * @throws {ChainstreamError} `InvalidArgument` when a configured service has no key in the environment.
 */
export function relayOptionsFrom(
  config: RelayConfig,
  env: Record<string, string | undefined>,
  logger: Logger,
): RelayOptions {
  const keysOf = (variable: string) =>
    (env[variable] ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0)
  const providers: RelayOptions['providers'] = {}
  if (config.ton) {
    const keys = keysOf('TONCENTER_API_KEY')
    if (keys.length === 0) {
      throw new ChainstreamError(
        'InvalidArgument',
        'The configuration relays TON: set TONCENTER_API_KEY (several keys: comma separated)',
        { isRetryable: false },
      )
    }
    providers.ton = createToncenter({
      apiKeys: keys,
      ...(config.ton.network ? { network: config.ton.network } : {}),
      ...(config.ton.baseUrl ? { baseUrl: config.ton.baseUrl } : {}),
      ...(config.ton.v3BaseUrl ? { v3BaseUrl: config.ton.v3BaseUrl } : {}),
      logger,
    })
  }
  if (config.solana) {
    const [key] = keysOf('VENUM_API_KEY')
    if (key === undefined) {
      throw new ChainstreamError('InvalidArgument', 'The configuration relays Solana: set VENUM_API_KEY', {
        isRetryable: false,
      })
    }
    providers.solana = createVenum({
      apiKey: key,
      ...(config.solana.baseUrl ? { baseUrl: config.solana.baseUrl } : {}),
    })
  }
  return {
    nats: {
      servers: config.nats.servers,
      ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
      ...(env.NATS_USER ? { user: env.NATS_USER } : {}),
      ...(env.NATS_PASS ? { pass: env.NATS_PASS } : {}),
    },
    providers,
    ...(config.names ? { names: config.names } : {}),
    ...(config.duplicateWindowMs !== undefined ? { duplicateWindowMs: config.duplicateWindowMs } : {}),
    ...(config.maxAgeMs !== undefined ? { maxAgeMs: config.maxAgeMs } : {}),
    logger,
  }
}
