import { describe, expect, it } from 'vitest'
import { createToncenter } from './toncenter.js'

// Runs against the real TON Center only when a key is given: TONCENTER_API_KEY=… pnpm vitest run packages/provider-toncenter
const apiKey = process.env.TONCENTER_API_KEY
// The masterchain elector: busy enough that a subscription to it is never rejected as pointless.
const ELECTOR = 'Ef8zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM0vF'

describe.skipIf(!apiKey)('TON Center live smoke test', () => {
  for (const transport of ['sse', 'websocket'] as const) {
    it(`subscribes over ${transport} on mainnet`, { timeout: 60_000 }, async () => {
      const toncenter = createToncenter({ apiKey: apiKey as string })
      const stream = toncenter.stream({
        transport,
        types: ['transactions', 'actions'],
        addresses: [ELECTOR],
        minFinality: 'confirmed',
        reconnect: { maxAttempts: 3 },
      })
      const errors: string[] = []
      stream.on('error', (error) => {
        errors.push(`${error.code}: ${error.message}`)
      })
      try {
        await stream.waitSubscribed({ timeoutMs: 30_000 })
        expect(stream.state).toBe('subscribed')
        expect(stream.subscription.addresses).toEqual([`-1:${'3'.repeat(64)}`])
      } finally {
        await stream.close()
      }
      expect(errors.filter((e) => !e.startsWith('ConnectionLimit'))).toEqual([])
    })
  }
})
