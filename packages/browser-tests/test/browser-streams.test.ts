import { fileURLToPath } from 'node:url'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeRecord } from './fixtures/probe.js'
import { bundleForBrowser } from './helpers/bundle.js'
import { launchChromium } from './helpers/chromium.js'
import { sendCommand, waitForRecords } from './helpers/probe-records.js'
import { type StaticServer, serveStatic } from './helpers/static-server.js'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const TIER_RANK: Record<string, number> = { unknown: 0, pending: 1, included: 2, confirmed: 3, finalized: 4 }

type EventRecord = Extract<ProbeRecord, { kind: 'event' }>
type UpdateRecord = Extract<ProbeRecord, { kind: 'update' }>
const events = (records: ProbeRecord[], transport: string) =>
  records.filter((r): r is EventRecord => r.kind === 'event' && r.transport === transport)
const updatesOf = (records: ProbeRecord[], id: string) =>
  records.filter((r): r is UpdateRecord => r.kind === 'update' && r.id === id)
const has = (records: ProbeRecord[], transport: string, trace: string, finality: string) =>
  events(records, transport).some((e) => e.trace === trace && e.finality === finality)

/**
 * The packages bundled by esbuild for the browser and run in Debian's Chromium — in a page, and the same
 * code in a Web Worker — against the simulators on other origins (CORS, query-parameter keys). Each mode
 * streams TON events over SSE and WebSocket, survives dropped connections with recovery (nothing lost,
 * nothing doubled), and tracks a TON trace and a Solana signature to their one terminal update.
 */
describe.each(['page', 'worker'] as const)('in Chromium (%s)', (mode) => {
  let browser: Browser
  let site: StaticServer
  let page: Page | undefined
  let ton: TonSimulator | undefined
  let venum: VenumSimulator | undefined

  beforeAll(async () => {
    const [pageScript, workerScript] = await Promise.all([
      bundleForBrowser(fixture('page.ts')),
      bundleForBrowser(fixture('worker.ts'), ['worker']),
    ])
    site = await serveStatic({
      '/': '<!doctype html><meta charset="utf-8"><title>probe</title><script type="module" src="/page.js"></script>',
      '/page.js': pageScript,
      '/worker.js': workerScript,
    })
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })
  afterEach(async () => {
    await page?.close()
    await ton?.close()
    await venum?.close()
    page = ton = venum = undefined
  })

  it('streams, recovers from drops and tracks both chains to their terminal update', async () => {
    // Three upstream connections: the SSE stream, the WebSocket stream and the tracker's lifecycle watch.
    ton = await createTonSimulator({
      keys: { 'browser-demo-key': { maxConnections: 3 } },
      keepaliveMs: 1_000,
      lingerMs: 0,
      wsLingerMs: 0,
    })
    venum = await createVenumSimulator({ heartbeatIntervalMs: 1_000 })
    const [address, counterparty] = ton.addresses as [string, string]
    const query = new URLSearchParams({
      mode,
      ton: ton.toncenter.baseUrl,
      venum: venum.url,
      venumKey: venum.apiKey,
      address,
    })
    page = await browser.newPage()
    const consoleErrors: string[] = []
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
    await page.goto(`${site.url}/?${query}`)

    // The web runtime, in a place without setImmediate (the SSE read loop used to need it).
    const subscribed = (records: ProbeRecord[], transport: string) =>
      records.some((r) => r.kind === 'state' && r.transport === transport && r.state === 'subscribed')
    const ready = await waitForRecords(
      page,
      'both streams subscribed',
      (r) => subscribed(r, 'sse') && subscribed(r, 'websocket'),
    )
    expect(ready.find((r) => r.kind === 'runtime')).toEqual({
      kind: 'runtime',
      runtime: 'web',
      hasSetImmediate: false,
    })
    // The keys travelled as the documented query parameters, never as headers the browser cannot send.
    const streamRequests = ton.requests.filter((r) => r.url.includes('/streaming/'))
    expect(streamRequests.length).toBeGreaterThanOrEqual(2)
    for (const request of streamRequests) {
      expect(request.url).toContain('api_key=browser-demo-key')
      expect(request.headers['x-api-key']).toBeUndefined()
    }

    // Each stream takes its recovery baseline (API v3, cross-origin) once subscribed. A trace racing that
    // baseline is a recovery case of its own, not a browser one: this test starts after it.
    const baselines = () =>
      ton!.requests.filter((r) => r.url.includes('/api/v3/') && r.url.includes('sort=desc'))
    const settleBy = Date.now() + 10_000
    while (baselines().length < 2 && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 200))

    for (const request of baselines()) {
      expect(request.url).toContain('api_key=browser-demo-key')
      expect(request.headers['x-api-key']).toBeUndefined()
    }

    // Live events on both transports.
    const first = ton.emitTrace({ addresses: [address, counterparty] })
    await first.finish()
    const live = first.traceExternalHashNorm
    await waitForRecords(page, 'the first trace finalized on both transports', (r) =>
      ['sse', 'websocket'].every((t) => has(r, t, live, 'pending') && has(r, t, live, 'finalized')),
    )

    // A drop, with the reconnects refused for a while: the trace that happens in the gap must still arrive.
    ton.failNext({ status: 503, on: 'stream', retryAfter: 1, times: 4 })
    expect(ton.dropConnections()).toBeGreaterThanOrEqual(2)
    const missed = ton.emitTrace({ addresses: [address, counterparty] })
    await missed.finish()
    const gap = missed.traceExternalHashNorm
    const afterDrop = await waitForRecords(
      page,
      'the trace from the gap finalized on both transports',
      (r) => ['sse', 'websocket'].every((t) => has(r, t, gap, 'finalized')),
      20_000,
    )
    for (const transport of ['sse', 'websocket']) {
      const states = afterDrop
        .filter((r): r is Extract<ProbeRecord, { kind: 'state' }> => r.kind === 'state')
        .filter((r) => r.transport === transport)
        .map((r) => r.state)
      expect(states, transport).toContain('reconnecting')
      expect(states.at(-1), transport).toBe('subscribed')
      // Nothing doubled: each transaction at each finality at most once, on every trace.
      const keys = events(afterDrop, transport).flatMap((e) =>
        e.hashes.map((h) => `${e.trace}/${e.finality}/${h}`),
      )
      expect(new Set(keys).size, `${transport}: a repeated event`).toBe(keys.length)
      // Nothing lost: the subscribed wallet's transactions of the gap trace, finalized.
      const finalized = events(afterDrop, transport)
        .filter((e) => e.trace === gap && e.finality === 'finalized')
        .flatMap((e) => e.hashes)
      const owed = missed.transactions.filter((t) => t.account === address).map((t) => t.hash)
      expect(owed.length).toBeGreaterThan(0)
      expect(finalized, `${transport}: finalized transactions of the gap trace`).toEqual(
        expect.arrayContaining(owed),
      )
    }

    // The tracker: a TON trace and a Solana signature, each to exactly one terminal update.
    const trace = ton.emitTrace({ addresses: [address, counterparty] })
    const signature = venumSignature(1, 7)
    venum.addSignature(signature, 'manual')
    await sendCommand(page, { kind: 'track', chain: 'ton', id: trace.traceExternalHashNorm })
    await sendCommand(page, { kind: 'track', chain: 'solana', id: signature })
    // Both watches are open upstream before anything happens (what was missed before is recovery's story).
    const watching = () =>
      venum!.openStreams > 0 &&
      ton!.sessions.some((s) => s.subscription.traceExternalHashNorms.includes(trace.traceExternalHashNorm))
    const deadline = Date.now() + 10_000
    while (!watching() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(watching(), 'both watches open upstream').toBe(true)
    for (const tier of ['landed', 'processed', 'confirmed', 'finalized'] as const) {
      await trace.advance()
      venum.advance(signature, tier)
      await new Promise((r) => setTimeout(r, 50))
    }
    const done = await waitForRecords(
      page,
      'both tracked transactions settled',
      (r) => r.filter((x) => x.kind === 'settled').length === 2,
      20_000,
    )
    for (const id of [trace.traceExternalHashNorm, signature]) {
      const updates = updatesOf(done, id)
      const ranks = updates.map((u) => TIER_RANK[u.tier] ?? -1)
      expect(ranks, `${id}: tiers never go backwards`).toEqual([...ranks].sort((a, b) => a - b))
      expect(
        updates.filter((u) => u.terminal),
        `${id}: one terminal update`,
      ).toHaveLength(1)
      expect(updates.at(-1)).toMatchObject({ tier: 'finalized', outcome: 'success', terminal: 'finalized' })
      expect(done.find((r) => r.kind === 'settled' && r.id === id)).toMatchObject({
        tier: 'finalized',
        outcome: 'success',
      })
    }
    expect(done.filter((r) => r.kind === 'failed')).toEqual([])
    expect(consoleErrors).toEqual([])
  }, 90_000)
})
