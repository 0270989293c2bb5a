import { afterEach, describe, expect, it } from 'vitest'
import { createTonSimulator, type TonSimulator } from './ton/ton-simulator.js'
import { createVenumSimulator, type VenumSimulator } from './venum/venum-simulator.js'

// Node's fetch does not enforce CORS, so the browser's side of the exchange is written out by hand:
// the preflight a page sends before a POST with JSON and an API-key header, then the request itself.
const PAGE = 'http://127.0.0.1:5173'

async function preflight(url: string, method: string, headers: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin: PAGE,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  })
}

describe('simulators answer CORS', () => {
  let ton: TonSimulator | undefined
  let venum: VenumSimulator | undefined
  afterEach(async () => {
    await ton?.close()
    await venum?.close()
    ton = venum = undefined
  })

  it('TON: a preflight of the SSE POST is allowed and not recorded; answers carry the origin', async () => {
    ton = await createTonSimulator({ keepaliveMs: 0 })
    const answer = await preflight(ton.toncenter.sseUrl, 'POST', 'content-type, x-api-key')
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST')
    expect(answer.headers.get('access-control-allow-headers')).toBe('content-type, x-api-key')
    expect(ton.requests).toHaveLength(0)

    const v3 = await fetch(`${ton.toncenter.v3BaseUrl}/transactions?api_key=k&limit=1`, {
      headers: { origin: PAGE },
    })
    expect(v3.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(v3.headers.get('access-control-expose-headers')).toContain('retry-after')
    expect(ton.requests).toHaveLength(1)
  })

  it('Venum: the stream and REST answers carry the origin, refusals included', async () => {
    venum = await createVenumSimulator({ heartbeatIntervalMs: 0 })
    const allowed = await preflight(`${venum.url}/v1/tx/x`, 'GET', 'x-api-key')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-headers')).toBe('x-api-key')
    const refused = await fetch(`${venum.url}/v1/tx/x`, { headers: { origin: PAGE } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(PAGE)
  })
})
