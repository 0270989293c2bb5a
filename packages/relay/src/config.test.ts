import { isChainstreamError } from '@chainstream/core'
import { silentLogger } from '@chainstream/core/provider'
import { describe, expect, it } from 'vitest'
import { parseRelayConfig, relayOptionsFrom } from './config.js'

describe('relay configuration', () => {
  it('names the file and every wrong field', () => {
    const text = JSON.stringify({ nats: { servers: 'localhost' }, ton: { network: 'main' }, extra: 1 })
    try {
      parseRelayConfig(text, 'relay.json')
      expect.unreachable()
    } catch (error) {
      expect(isChainstreamError(error, 'InvalidArgument')).toBe(true)
      const message = (error as Error).message
      expect(message).toContain('relay.json')
      expect(message).toContain('nats.servers: must be host:port')
      expect(message).toContain('ton.network')
      expect(message).toContain('"extra"')
    }
  })

  it('refuses a file that is not JSON, and one that relays nothing', () => {
    expect(() => parseRelayConfig('{ nats', 'a.json')).toThrow(/a\.json is not JSON/)
    expect(() => parseRelayConfig('{"nats":{"servers":"127.0.0.1:4222"}}', 'b.json')).toThrow(
      /at least one of "ton" and "solana"/,
    )
  })

  it('takes keys from the environment only, and says which variable is missing', () => {
    const config = parseRelayConfig('{"nats":{"servers":["127.0.0.1:4222"]},"ton":{},"solana":{}}', 'c.json')
    expect(() => relayOptionsFrom(config, {}, silentLogger)).toThrow(/set TONCENTER_API_KEY/)
    expect(() => relayOptionsFrom(config, { TONCENTER_API_KEY: 'k' }, silentLogger)).toThrow(
      /set VENUM_API_KEY/,
    )
    const options = relayOptionsFrom(
      config,
      { TONCENTER_API_KEY: 'k1, k2', VENUM_API_KEY: 'v', NATS_TOKEN: 's3cret' },
      silentLogger,
    )
    expect(options.providers.ton?.providerId).toBe('toncenter')
    expect(options.providers.solana).toBeDefined()
    expect(options.nats).toEqual({ servers: ['127.0.0.1:4222'], token: 's3cret' })
  })
})
