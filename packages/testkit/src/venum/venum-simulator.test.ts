import { afterEach, describe, expect, it } from 'vitest'
import { decodeBase58, encodeBase58, isVenumSignature } from './base58.js'
import { venumSignature } from './venum-signature.js'
import { createVenumSimulator, VENUM_TEST_API_KEY, type VenumSimulator } from './venum-simulator.js'
import { readSse, statusesOf } from './venum-sse-reader.test-helper.js'

const KEY = { 'x-api-key': VENUM_TEST_API_KEY }
const sig = (n: number) => venumSignature(n, 42)
const sims: VenumSimulator[] = []
const start = async (options: Parameters<typeof createVenumSimulator>[0] = {}) => {
  const sim = await createVenumSimulator(options)
  sims.push(sim)
  return sim
}
const streamUrl = (sim: VenumSimulator, signatures: string[], events?: string) =>
  `${sim.url}/v1/stream/tx?signatures=${signatures.join(',')}${events ? `&events=${events}` : ''}`
const getJson = async (url: string, headers: Record<string, string> = KEY) => {
  const response = await fetch(url, { headers })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  }
}
const until = async (predicate: () => boolean, timeoutMs = 3_000) => {
  const begin = Date.now()
  while (!predicate()) {
    if (Date.now() - begin > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

describe('base58 and signatures', () => {
  it('round-trips bytes, keeps leading zeros, and rejects characters outside the alphabet', () => {
    const bytes = new Uint8Array([0, 0, 1, 2, 255, 128])
    expect(decodeBase58(encodeBase58(bytes))).toEqual(bytes)
    expect(encodeBase58(new Uint8Array([0, 0]))).toBe('11')
    expect(decodeBase58('0OIl')).toBeUndefined()
  })

  it('makes deterministic 64-byte signatures of 87–88 characters that Venum accepts', () => {
    for (let i = 0; i < 50; i++) {
      const s = venumSignature(i)
      expect(s.length).toBeGreaterThanOrEqual(87)
      expect(decodeBase58(s)?.length).toBe(64)
      expect(isVenumSignature(s)).toBe(true)
    }
    expect(venumSignature(3)).toBe(venumSignature(3))
    expect(venumSignature(3)).not.toBe(venumSignature(4))
    expect(isVenumSignature('abc')).toBe(false)
    expect(isVenumSignature(`${sig(1).slice(0, -1)}0`)).toBe(false)
  })
})

describe('Venum simulator: GET /v1/stream/tx refusals', () => {
  it('answers 401 for a missing or unknown key, with a JSON error body', async () => {
    const sim = await start()
    const missing = await readSse(streamUrl(sim, [sig(1)]))
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual({ error: expect.stringContaining('missing API key') })
    const wrong = await readSse(streamUrl(sim, [sig(1)]), { headers: { 'x-api-key': 'nope' } })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ error: 'invalid API key' })
    expect(sim.streamRequests.map((r) => r.status)).toEqual([401, 401])
  })

  it('answers 400 for missing signatures, more than 10, a bad signature and an unknown event name', async () => {
    const sim = await start()
    const cases: [string, RegExp][] = [
      [`${sim.url}/v1/stream/tx`, /missing signatures/],
      [
        streamUrl(
          sim,
          Array.from({ length: 11 }, (_, i) => sig(i)),
        ),
        /too many signatures/,
      ],
      [streamUrl(sim, [sig(1), 'not-a-signature']), /invalid signature/],
      [streamUrl(sim, [sig(1)], 'landed,included'), /invalid event name: included/],
    ]
    for (const [url, message] of cases) {
      const result = await readSse(url, { headers: KEY })
      expect(result.status).toBe(400)
      expect((result.body as { error: string }).error).toMatch(message)
    }
    expect(sim.openStreams).toBe(0)
  })

  it('answers 429 with Retry-After once a key holds its limit of streams, and counts open streams', async () => {
    const sim = await start({ maxStreamsPerKey: 2, retryAfterSeconds: 3 })
    for (let i = 0; i < 2; i++) sim.addSignature(sig(i))
    const first = readSse(streamUrl(sim, [sig(0)], 'finalized'), { headers: KEY, timeoutMs: 5_000 })
    const second = readSse(streamUrl(sim, [sig(1)], 'finalized'), { headers: KEY, timeoutMs: 5_000 })
    await until(() => sim.openStreams === 2)
    const third = await readSse(streamUrl(sim, [sig(2)]), { headers: KEY })
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('3')
    expect(third.body).toEqual({ error: 'SSE connection limit exceeded' })
    sim.dropStreams()
    expect((await first).status).toBe(200)
    await second
    await until(() => sim.openStreams === 0)
    expect(sim.streamsOpened).toBe(2)
    // A slot is free again.
    sim.advance(sig(3), 'finalized')
    expect((await readSse(streamUrl(sim, [sig(3)], 'finalized'), { headers: KEY })).status).toBe(200)
  })

  it('answers 503 while commitment-tier polling is off, for every request beyond landed', async () => {
    const sim = await start({ tierPolling: false })
    const tiers = await readSse(streamUrl(sim, [sig(1)], 'landed,confirmed'), { headers: KEY })
    expect(tiers.status).toBe(503)
    expect((tiers.body as { error: string }).error).toMatch(/polling/)
    const landedOnly = await readSse(streamUrl(sim, [sig(2)]), { headers: KEY })
    expect(landedOnly.status).toBe(200)
    sim.setTierPolling(true)
    expect((await readSse(streamUrl(sim, [sig(3)], 'confirmed'), { headers: KEY })).status).toBe(200)
  })
})

describe('Venum simulator: stream events', () => {
  it('sends ready, every requested tier in order, and closes the stream itself at the strongest one', async () => {
    const sim = await start({ timeScale: 0.5 })
    const s = sig(1)
    const result = await readSse(streamUrl(sim, [s], 'landed,processed,confirmed,finalized'), {
      headers: KEY,
    })
    expect(result.ending).toBe('end')
    expect(result.events[0]).toMatchObject({
      event: 'ready',
      data: { signatures: [s], ts: expect.any(Number) },
    })
    expect(statusesOf(result.events, s)).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    const tx = result.events.find((e) => e.event === 'tx')?.data as Record<string, unknown>
    expect(tx).toEqual({ signature: s, status: 'landed', slot: expect.any(Number), ts: expect.any(Number) })
    expect(sim.streamRequests[0]).toMatchObject({ status: 200, auth: 'header', signatures: [s] })
  })

  it('defaults to landed only and ends the stream after landing', async () => {
    const sim = await start()
    const result = await readSse(streamUrl(sim, [sig(1)]), { headers: KEY })
    expect(statusesOf(result.events, sig(1))).toEqual(['landed'])
    expect(result.ending).toBe('end')
    expect(sim.streamRequests[0]?.events).toEqual(['landed'])
  })

  it('accepts the key as apiKey in the query (browser EventSource style) and records it', async () => {
    const sim = await start()
    const result = await readSse(`${streamUrl(sim, [sig(1)])}&apiKey=${VENUM_TEST_API_KEY}`)
    expect(result.status).toBe(200)
    expect(sim.streamRequests[0]?.auth).toBe('query')
  })

  it('sends failed with err and ends: a failure after landing never shows a later tier', async () => {
    const sim = await start({ lifecycles: { failure: 1 } })
    const s = sig(1)
    const result = await readSse(streamUrl(sim, [s], 'landed,processed,confirmed,finalized'), {
      headers: KEY,
    })
    expect(statusesOf(result.events, s)).toEqual(['landed', 'failed'])
    const failed = result.events.find((e) => (e.data as { status?: string }).status === 'failed')
    expect(failed?.data).toMatchObject({ err: 'InstructionError: [0, Custom(6001)]' })
    expect(result.ending).toBe('end')
  })

  it('sends timeout in landed-only mode when the landing never comes', async () => {
    const sim = await start({ lifecycles: { 'never-lands': 1 }, timeScale: 0.2 })
    const result = await readSse(streamUrl(sim, [sig(1)]), { headers: KEY })
    expect(statusesOf(result.events, sig(1))).toEqual(['timeout'])
    expect(result.ending).toBe('end')
  })

  it('sends verify-timeout when the requested tier does not come in time (also for a never-landing one)', async () => {
    const sim = await start({
      lifecycles: (s) => (s === sig(1) ? 'verify-timeout' : 'never-lands'),
      timeScale: 0.2,
    })
    const result = await readSse(streamUrl(sim, [sig(1), sig(2)], 'landed,processed,confirmed,finalized'), {
      headers: KEY,
    })
    expect(statusesOf(result.events, sig(1))).toEqual(['landed', 'verify-timeout'])
    expect(statusesOf(result.events, sig(2))).toEqual(['verify-timeout'])
    expect(result.ending).toBe('end')
  })

  it('sends a per-signature error event while the other signatures keep streaming', async () => {
    const sim = await start({ lifecycles: (s) => (s === sig(1) ? 'setup-error' : 'success'), timeScale: 0.3 })
    const result = await readSse(streamUrl(sim, [sig(1), sig(2)], 'landed,confirmed'), { headers: KEY })
    const error = result.events.find((e) => e.event === 'error')
    expect(error?.data).toEqual({ signature: sig(1), error: 'watch_failed', reason: expect.any(String) })
    expect(statusesOf(result.events, sig(2))).toEqual(['landed', 'confirmed'])
    expect(result.ending).toBe('end')
  })

  it('sends heartbeats at the configured interval', async () => {
    const sim = await start({ heartbeatIntervalMs: 30 })
    sim.addSignature(sig(1))
    const result = await readSse(streamUrl(sim, [sig(1)]), {
      headers: KEY,
      timeoutMs: 3_000,
      until: (events) => events.filter((e) => e.event === 'heartbeat').length >= 3,
    })
    const beats = result.events.filter((e) => e.event === 'heartbeat')
    expect(beats.length).toBeGreaterThanOrEqual(3)
    expect(beats[0]?.data).toEqual({ ts: expect.any(Number) })
    // Spaced by the interval, not sent in a burst.
    const ts = beats.map((b) => (b.data as { ts: number }).ts)
    expect((ts[2] ?? 0) - (ts[0] ?? 0)).toBeGreaterThanOrEqual(50)
  })

  it('is driven by hand with addSignature and advance, and catches up a new watcher on reached tiers', async () => {
    const sim = await start()
    const s = sig(1)
    sim.addSignature(s)
    const live = readSse(streamUrl(sim, [s], 'landed,processed,confirmed,finalized'), {
      headers: KEY,
      until: (events) =>
        events.some((e) => e.event === 'tx' && (e.data as { status: string }).status === 'confirmed'),
    })
    await until(() => sim.openStreams === 1)
    sim.advance(s, 'landed')
    sim.advance(s, 'confirmed') // jumps: both processed and confirmed are sent, in order
    expect(statusesOf((await live).events, s)).toEqual(['landed', 'processed', 'confirmed'])
    expect(sim.statusOf(s)).toBe('confirmed')
    // A new watcher sees the commitment tier already reached (polling), but not the past landing.
    const late = readSse(streamUrl(sim, [s], 'landed,confirmed,finalized'), {
      headers: KEY,
      until: (events) => events.some((e) => e.event === 'tx'),
    })
    expect(statusesOf((await late).events, s)).toEqual(['confirmed'])
    sim.advance(s, 'processed') // backwards: ignored
    expect(sim.statusOf(s)).toBe('confirmed')
  })

  it('sends manual timeouts and errors to the open watchers of a signature', async () => {
    const sim = await start()
    sim.addSignature(sig(1))
    sim.addSignature(sig(2))
    const reading = readSse(streamUrl(sim, [sig(1), sig(2)], 'confirmed'), { headers: KEY })
    await until(() => sim.openStreams === 1)
    sim.advance(sig(1), 'verify-timeout')
    sim.advance(sig(2), 'error', { reason: 'boom' })
    const result = await reading
    expect(statusesOf(result.events, sig(1))).toEqual(['verify-timeout'])
    expect(result.events.find((e) => e.event === 'error')?.data).toMatchObject({
      signature: sig(2),
      reason: 'boom',
    })
    expect(result.ending).toBe('end')
  })
})

describe('Venum simulator: faults', () => {
  it('drops a stream after N events, and drops every open stream on demand', async () => {
    const sim = await start()
    for (let i = 0; i < 3; i++) sim.addSignature(sig(i))
    sim.dropAfter(2)
    const dropped = readSse(streamUrl(sim, [sig(0), sig(1), sig(2)]), { headers: KEY })
    await until(() => sim.openStreams === 1)
    for (let i = 0; i < 3; i++) sim.advance(sig(i), 'landed')
    const first = await dropped
    expect(first.ending).toBe('error')
    expect(first.events.filter((e) => e.event === 'tx')).toHaveLength(2)

    const a = readSse(streamUrl(sim, [sig(0)]), { headers: KEY })
    const b = readSse(streamUrl(sim, [sig(1)]), { headers: KEY })
    await until(() => sim.openStreams === 2)
    sim.dropStreams()
    expect((await a).ending).toBe('error')
    expect((await b).ending).toBe('error')
  })

  it('half-opens the open streams on demand: no heartbeats, no events, no end; new streams are fine', async () => {
    const sim = await start({ heartbeatIntervalMs: 20 })
    sim.addSignature(sig(1))
    const stop = new AbortController()
    const started = Date.now()
    const stalled = readSse(streamUrl(sim, [sig(1)]), { headers: KEY, timeoutMs: 5_000, signal: stop.signal })
    await until(() => sim.openStreams === 1)
    await new Promise((r) => setTimeout(r, 30))
    sim.stallStreams()
    const stalledAt = Date.now() - started
    const fresh = readSse(streamUrl(sim, [sig(1)]), { headers: KEY, timeoutMs: 5_000 })
    await until(() => sim.openStreams === 2)
    sim.advance(sig(1), 'landed')
    expect(statusesOf((await fresh).events, sig(1))).toEqual(['landed'])
    await new Promise((r) => setTimeout(r, 100))
    stop.abort()
    const silent = await stalled
    expect(silent.events.some((e) => e.event === 'ready')).toBe(true)
    expect(statusesOf(silent.events, sig(1))).toEqual([])
    // Still open (no end, no drop) when the reader gave up; heartbeats stopped with the stall.
    expect(silent.ending).toBe('timeout')
    const beats = silent.events.filter((e) => e.event === 'heartbeat').map((e) => e.atMs)
    expect(beats.filter((at) => at > stalledAt + 15)).toEqual([])
  })
})

describe('Venum simulator: GET /v1/tx/:signature', () => {
  it('answers the documented shapes as the transaction advances', async () => {
    const sim = await start()
    const s = sig(1)
    const url = `${sim.url}/v1/tx/${s}`
    sim.addSignature(s)
    expect((await getJson(url)).body).toEqual({ signature: s, status: 'not_found' })
    sim.advance(s, 'landed')
    expect((await getJson(url)).body.status).toBe('not_found')
    sim.advance(s, 'processed')
    expect((await getJson(url)).body).toMatchObject({ status: 'confirmed', confirmationStatus: 'processed' })
    sim.advance(s, 'confirmed')
    expect((await getJson(url)).body).toMatchObject({ status: 'confirmed', confirmationStatus: 'confirmed' })
    sim.advance(s, 'finalized')
    const finalized = await getJson(url)
    expect(finalized.body).toEqual({
      signature: s,
      status: 'finalized',
      confirmationStatus: 'finalized',
      slot: expect.any(Number),
      confirmations: null,
      error: null,
      fee: 5000,
      computeUnits: expect.any(Number),
    })
    expect(Number(finalized.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0)
    expect(finalized.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/)

    const f = sig(2)
    sim.addSignature(f)
    sim.advance(f, 'landed')
    sim.advance(f, 'failed', { err: 'InstructionError: [0, Custom(1)]' })
    expect((await getJson(`${sim.url}/v1/tx/${f}`)).body).toMatchObject({
      status: 'failed',
      error: 'InstructionError: [0, Custom(1)]',
    })
  })

  it('answers 401 without a key, 400 for a bad signature, scripted faults, and 429 past the rate limit', async () => {
    const sim = await start({ restLimit: { requests: 4, windowMs: 60_000 } })
    const url = `${sim.url}/v1/tx/${sig(1)}`
    expect((await getJson(url, {})).status).toBe(401)
    expect((await getJson(`${sim.url}/v1/tx/abc`)).status).toBe(400)
    sim.failNextRest(502, { status: 429, retryAfterSeconds: 2 }, 'lookup-error')
    expect((await getJson(url)).status).toBe(502)
    const limited = await getJson(url)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    // The fourth counted request is the last in the window; the fifth gets a 429.
    expect((await getJson(url)).body).toMatchObject({ status: 'error', reason: expect.any(String) })
    const over = await getJson(url)
    expect(over.status).toBe(429)
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(sim.restRequests.map((r) => r.status)).toEqual([401, 400, 502, 429, 200, 429])
  })

  it('counts the /v1/tx answers in restCalls, also when requests are not recorded', async () => {
    const sim = await start({ record: false })
    sim.addSignature(sig(1))
    expect(sim.restCalls).toBe(0)
    expect((await getJson(`${sim.url}/v1/tx/${sig(1)}`)).status).toBe(200)
    expect((await getJson(`${sim.url}/v1/tx/abc`)).status).toBe(400)
    expect(sim.restCalls).toBe(2)
    expect(sim.restRequests).toEqual([])
  })
})

describe('Venum simulator: scenario engine', () => {
  it('gives every signature the same lifecycle for the same seed, in proportion to the weights', async () => {
    const weights = { success: 6, failure: 2, 'never-lands': 1, 'verify-timeout': 1 }
    const a = await start({ seed: 7, lifecycles: weights })
    const b = await start({ seed: 7, lifecycles: weights })
    const c = await start({ seed: 8, lifecycles: weights })
    const signatures = Array.from({ length: 100 }, (_, i) => sig(i))
    // Different arrival orders, same stories.
    for (const s of signatures) await getJson(`${a.url}/v1/tx/${s}`)
    for (const s of [...signatures].reverse()) await getJson(`${b.url}/v1/tx/${s}`)
    for (const s of signatures) await getJson(`${c.url}/v1/tx/${s}`)
    const storyA = signatures.map((s) => a.lifecycleOf(s))
    expect(signatures.map((s) => b.lifecycleOf(s))).toEqual(storyA)
    expect(signatures.map((s) => c.lifecycleOf(s))).not.toEqual(storyA)
    const count = (name: string) => storyA.filter((l) => l === name).length
    expect(count('success')).toBeGreaterThan(45)
    expect(count('failure')).toBeGreaterThan(8)
    expect(count('never-lands')).toBeGreaterThan(2)
    expect(a.signatureCount).toBe(100)
  })

  it('scales the clock: finalized after about 200 ms at scale 1 and about 50 ms at 0.25', async () => {
    const timeTo = async (timeScale: number) => {
      const sim = await start({ timeScale, timings: { jitter: 0 } })
      const result = await readSse(streamUrl(sim, [sig(1)], 'finalized'), { headers: KEY })
      return result.events.find((e) => e.event === 'tx')?.atMs ?? Number.NaN
    }
    const full = await timeTo(1)
    const quarter = await timeTo(0.25)
    expect(full).toBeGreaterThanOrEqual(190)
    expect(quarter).toBeLessThan(150)
  })
})
