import { describe, expect, it, vi } from 'vitest'
import { lazyClient } from './lazy-client.js'

describe('lazyClient', () => {
  it('makes the client once, on first use', () => {
    const create = vi.fn(() => ({ id: 1 }))
    const client = lazyClient(create, () => {})
    expect(create).not.toHaveBeenCalled()
    expect(client()).toBe(client())
    expect(create).toHaveBeenCalledTimes(1)
  })

  it('reports a configuration error once and throws it to every caller', () => {
    const onInvalid = vi.fn()
    const client = lazyClient(() => {
      throw new Error('an API key is required')
    }, onInvalid)
    expect(() => client()).toThrow(/API key/)
    expect(() => client()).toThrow(/API key/)
    expect(onInvalid).toHaveBeenCalledTimes(1)
  })
})
