import { describe, expect, it } from 'vitest'
import { apiKeyOf, redact, secretsIn } from './api-keys.js'

describe('API keys from the environment', () => {
  it('reads each service from its own variable, blank meaning unset', () => {
    const env = { TONCENTER_API_KEY: ' tc-key-0001 ', TONAPI_API_KEY: '   ', VENUM_API_KEY: undefined }
    expect(apiKeyOf(env, 'toncenter')).toBe('tc-key-0001')
    expect(apiKeyOf(env, 'tonapi')).toBeUndefined()
    expect(apiKeyOf(env, 'venum')).toBeUndefined()
  })

  it('redacts every key long enough to recognise, the longer first when one contains the other', () => {
    const env = { TONCENTER_API_KEY: 'abcdefgh', TONAPI_API_KEY: 'abcdefgh-long', VENUM_API_KEY: 'short' }
    const secrets = secretsIn(env)
    expect(secrets).toEqual(['abcdefgh-long', 'abcdefgh'])
    expect(redact('key abcdefgh-long, then abcdefgh; short stays', secrets)).toBe(
      'key ***, then ***; short stays',
    )
  })
})
