import { createTonapi } from '@chainstream/provider-tonapi'
import { createToncenter, type TonLifecycleOptions } from '@chainstream/provider-toncenter'
import type { TonSimulator } from '@chainstream/testkit'
import type { TonProfile } from '../schedule-types.js'

/**
 * A TON client for one profile, pointed at the simulator through the public factories only. TonAPI
 * recovers from TON Center API v3, which the same simulator serves.
 */
export function tonClient(
  profile: TonProfile,
  sim: TonSimulator,
  apiKey: string,
  lifecycle?: TonLifecycleOptions,
  /** Where the client connects instead of the simulator (a relay in front of it). */
  via?: string,
) {
  const extra = lifecycle ? { lifecycle } : {}
  const baseUrl = via ?? sim.url
  if (profile === 'toncenter') return createToncenter({ apiKey, baseUrl, ...extra })
  return createTonapi({ apiKey, baseUrl, v3BaseUrl: `${baseUrl}/api/v3`, ...extra })
}

export type TonClient = ReturnType<typeof tonClient>

/** Fast client timings: the faults play out in milliseconds instead of the production minutes. */
export const FAST_TON = {
  // A hostile `Retry-After` (a billion seconds) is honoured up to 1.5 s: the stream must neither spin nor
  // sleep for ever.
  reconnect: { initialDelayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 1_500 },
  /** SSE: the simulator's keepalive comes every 25 ms. */
  heartbeatTimeoutMs: 150,
  pingIntervalMs: 25,
  pongTimeoutMs: 80,
  subscribeTimeoutMs: 1_000,
  openTimeoutMs: 1_000,
  /** Longer than any linger a schedule draws, so the connection limit is always outlived. */
  connectionLimitRetryMs: 5_000,
} as const

/** The simulator's keepalive period behind `FAST_TON.heartbeatTimeoutMs`. */
export const FAST_KEEPALIVE_MS = 25
