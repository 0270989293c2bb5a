import { describe, expect, it } from 'vitest'
import { createTonapi } from './tonapi.js'

// Runs against the real TonAPI only when a key is given: TONAPI_API_KEY=… pnpm vitest run packages/provider-tonapi
const apiKey = process.env.TONAPI_API_KEY
const ELECTOR = 'Ef8zMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM0vF'

describe.skipIf(!apiKey)('TonAPI live smoke test', () => {
  for (const transport of ['sse', 'websocket'] as const) {
    it(`subscribes over ${transport} on mainnet`, { timeout: 60_000 }, async () => {
      const stream = createTonapi({
        apiKey: apiKey as string,
        toncenterApiKey: process.env.TONCENTER_API_KEY,
      }).stream({
        transport,
        types: ['transactions'],
        addresses: [ELECTOR],
        minFinality: 'confirmed',
        reconnect: { maxAttempts: 3 },
      })
      try {
        await stream.waitSubscribed({ timeoutMs: 30_000 })
        expect(stream.state).toBe('subscribed')
      } finally {
        await stream.close()
      }
    })
  }
})
