/**
 * Against the real Venum API. Runs only when VENUM_API_KEY is set (and the watch only with
 * VENUM_SIGNATURE, a recent transaction signature); everywhere else these tests are skipped.
 */
import { isChainstreamError } from '@chainstream/core'
import { venumSignature } from '@chainstream/testkit'
import { describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'

const apiKey = process.env.VENUM_API_KEY
const signature = process.env.VENUM_SIGNATURE
const baseUrl = process.env.VENUM_BASE_URL

describe.skipIf(!apiKey)('live Venum (VENUM_API_KEY)', () => {
  const venum = () => createVenum({ apiKey: apiKey ?? '', ...(baseUrl ? { baseUrl } : {}) })

  it('looks up a signature it has never seen: a typed not_found', async () => {
    const status = await venum().status(venumSignature(Date.now() % 1_000_000, 99))
    expect(['not_found', 'error']).toContain(status.status)
    expect(status.tier).toBe('unknown')
  }, 30_000)

  it.runIf(signature)(
    'watches VENUM_SIGNATURE until Venum ends the watch, with typed updates',
    async () => {
      const watch = venum().watch({ signatures: [signature ?? ''], events: ['landed', 'confirmed'] })
      const updates: string[] = []
      watch.on('update', (u) => updates.push(`${u.status}/${u.source}`))
      const timer = setTimeout(() => void watch.close(), 60_000)
      const error = await watch.closed
      clearTimeout(timer)
      if (error && !isChainstreamError(error, 'Closed')) throw error
      expect(updates.length).toBeGreaterThan(0)
    },
    70_000,
  )
})
