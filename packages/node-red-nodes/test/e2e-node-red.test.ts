import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminGet,
  deployFlows,
  freePort,
  prepareUserDir,
  type RunningNodeRed,
  removeUserDir,
  startNodeRed,
} from '../demo/node-red-process.mjs'
import { assertInstalled, ensureBuilt, RUNTIMES } from './node-red-runtimes.js'

const TYPES = [
  'chainstream-toncenter',
  'chainstream-tonapi',
  'chainstream-venum',
  'ton-stream',
  'solana-tx-status',
  'tx-lifecycle',
]

/** Records a summary of each message into global context, per key, for GET /e2e/results. */
const record = (key: string, summary: string) => `const r = global.get('results') || {}
;(r['${key}'] = r['${key}'] || []).push(${summary})
global.set('results', r)
return null`

function flow(ton: TonSimulator, venum: VenumSimulator): Record<string, unknown>[] {
  const tab = 'e2e-tab'
  const z = { z: tab }
  const http = (id: string, method: string, url: string, wires: string[]) => ({
    id,
    type: 'http in',
    ...z,
    name: '',
    url,
    method,
    upload: false,
    swaggerDoc: '',
    wires: [wires],
  })
  const fn = (id: string, func: string, wires: string[] = []) => ({
    id,
    type: 'function',
    ...z,
    // Not the id: the runtime takes any property equal to a node id for a config reference.
    name: '',
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires: [wires],
  })
  return [
    { id: tab, type: 'tab', label: 'e2e' },
    {
      id: 'e2e-toncenter',
      type: 'chainstream-toncenter',
      network: 'custom',
      baseUrl: ton.toncenter.baseUrl,
      transport: 'websocket',
      credentials: { apiKey: 'e2e-key' },
    },
    {
      id: 'e2e-tonapi',
      type: 'chainstream-tonapi',
      network: 'custom',
      baseUrl: ton.tonapi.baseUrl,
      v3BaseUrl: ton.toncenter.v3BaseUrl,
      transport: 'sse',
      credentials: { apiKey: 'e2e-key' },
    },
    { id: 'e2e-venum', type: 'chainstream-venum', baseUrl: venum.url, credentials: { apiKey: venum.apiKey } },
    {
      id: 'e2e-stream',
      type: 'ton-stream',
      ...z,
      provider: 'toncenter',
      toncenter: 'e2e-toncenter',
      types: 'transactions',
      addresses: ton.addresses[0],
      minFinality: 'pending',
      wires: [['e2e-record-ton']],
    },
    {
      id: 'e2e-stream-tonapi',
      type: 'ton-stream',
      ...z,
      provider: 'tonapi',
      tonapi: 'e2e-tonapi',
      types: 'actions',
      addresses: ton.addresses[0],
      minFinality: 'confirmed',
      wires: [['e2e-record-tonapi']],
    },
    fn('e2e-record-ton', record('ton', 'msg.finality')),
    fn('e2e-record-tonapi', record('tonapi', 'msg.finality')),
    http('e2e-in-solana', 'post', '/e2e/solana', ['e2e-status', 'e2e-ok']),
    {
      id: 'e2e-status',
      type: 'solana-tx-status',
      ...z,
      venum: 'e2e-venum',
      target: 'finalized',
      timeout: '0',
      failuresToCatch: true,
      wires: [['e2e-record-solana']],
    },
    fn('e2e-record-solana', record('solana', 'msg.payload.status')),
    http('e2e-in-track', 'post', '/e2e/track', ['e2e-life', 'e2e-ok']),
    {
      id: 'e2e-life',
      type: 'tx-lifecycle',
      ...z,
      tonProvider: 'toncenter',
      toncenter: 'e2e-toncenter',
      venum: 'e2e-venum',
      chain: 'ton',
      target: 'finalized',
      timeout: '60',
      settleOn: 'terminal',
      wires: [['e2e-record-updates'], ['e2e-record-settled']],
    },
    fn('e2e-record-updates', record('updates', "msg.payload.chain + ':' + msg.payload.tier")),
    fn('e2e-record-settled', record('settled', "msg.payload.chain + ':' + msg.payload.terminal.kind")),
    fn('e2e-ok', "msg.payload = 'ok'\nreturn msg", ['e2e-response']),
    http('e2e-in-results', 'get', '/e2e/results', ['e2e-results']),
    fn('e2e-results', "msg.payload = global.get('results') || {}\nreturn msg", ['e2e-response']),
    { id: 'e2e-response', type: 'http response', ...z, name: '', statusCode: '', headers: {}, wires: [] },
  ]
}

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(() => ensureBuilt())

describe.each(RUNTIMES)('end to end: $label', (runtime) => {
  let ton: TonSimulator
  let venum: VenumSimulator
  let red: RunningNodeRed
  let userDir: string

  beforeAll(async () => {
    assertInstalled(runtime)
    ton = await createTonSimulator({
      keys: { 'e2e-key': { maxConnections: 4 } },
      keepaliveMs: 500,
      lingerMs: 0,
    })
    venum = await createVenumSimulator({ lifecycles: { success: 1 }, heartbeatIntervalMs: 1_000 })
    userDir = prepareUserDir()
    red = await startNodeRed({ node: runtime.node, redJs: runtime.redJs, userDir, port: await freePort() })
  }, 90_000)

  afterAll(async () => {
    await red?.stop()
    await Promise.all([ton?.close(), venum?.close()])
    if (userDir) removeUserDir(userDir)
  }, 30_000)

  it('loads every node of the package, in the expected Node-RED major', async () => {
    const settings = await adminGet<{ version: string }>(red.url, '/settings')
    expect(Number(settings.version.split('.')[0])).toBe(runtime.expectedMajor)
    const module = await adminGet<{ nodes: { types: string[]; enabled: boolean; err?: string }[] }>(
      red.url,
      '/nodes/@chainstream%2Fnode-red',
    )
    expect(module.nodes.every((set) => set.enabled && !set.err)).toBe(true)
    expect(module.nodes.flatMap((set) => set.types).sort()).toEqual([...TYPES].sort())
  })

  it('deploys flows through the admin API and stores the API keys as credentials', async () => {
    await deployFlows(red.url, flow(ton, venum))
    for (const [type, id] of [
      ['chainstream-toncenter', 'e2e-toncenter'],
      ['chainstream-tonapi', 'e2e-tonapi'],
      ['chainstream-venum', 'e2e-venum'],
    ]) {
      const credentials = await adminGet<Record<string, unknown>>(red.url, `/credentials/${type}/${id}`)
      expect(credentials).toMatchObject({ has_apiKey: true })
      expect(JSON.stringify(credentials)).not.toContain('e2e-key')
    }
  })

  it('delivers TON events, Solana statuses and lifecycle updates from the simulators', async () => {
    const results = () => adminGet<Record<string, string[]>>(red.url, '/e2e/results')
    await until(
      async () => ton.sessions.filter((s) => !s.isClosed && s.subscription.types.length > 0).length,
      (count) => count === 2,
      'both TON subscriptions (WebSocket and SSE)',
    )
    await ton.emitTrace({ addresses: [ton.addresses[0] as string, ton.addresses[1] as string] }).finish()

    const post = (path: string, body: unknown) =>
      fetch(`${red.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    // Solana signatures move when the test says so, after their streams are open: every tier is seen.
    const [watched, tracked] = [venumSignature(1), venumSignature(2)]
    venum.addSignature(watched, 'manual')
    venum.addSignature(tracked, 'manual')
    await post('/e2e/solana', { signatures: [watched] })
    const trace = ton.emitTrace({ addresses: [ton.addresses[1] as string, ton.addresses[2] as string] })
    await post('/e2e/track', [
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: tracked },
    ])
    await until(
      () => Promise.resolve(ton.sessions.some((s) => s.subscription.traceExternalHashNorms.length === 1)),
      Boolean,
      'the tracked trace subscription',
    )
    await until(
      () => Promise.resolve(venum.openStreams),
      (open) => open >= 1,
      'the Venum streams',
    )
    await trace.finish()
    await until(
      () => Promise.resolve(venum.streamRequests.flatMap((request) => request.signatures)),
      (signatures) => signatures.includes(watched) && signatures.includes(tracked),
      'both signatures on streams',
    )
    for (const tier of ['landed', 'processed', 'confirmed', 'finalized'] as const) {
      venum.advance(watched, tier)
      venum.advance(tracked, tier)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const final = await until(
      results,
      (r) =>
        r.ton?.length === 3 && r.tonapi?.length === 2 && r.solana?.length === 4 && r.settled?.length === 2,
      'every message',
    )
    expect(final.ton).toEqual(['pending', 'confirmed', 'finalized'])
    expect(final.tonapi).toEqual(['confirmed', 'finalized'])
    expect(final.solana).toEqual(['landed', 'processed', 'confirmed', 'finalized'])
    expect([...(final.settled ?? [])].sort()).toEqual(['solana:finalized', 'ton:finalized'])
    expect(final.updates).toEqual(
      expect.arrayContaining([
        'ton:pending',
        'ton:confirmed',
        'ton:finalized',
        'solana:included',
        'solana:finalized',
      ]),
    )
    expect(red.output.filter((line) => /\[error\]/.test(line))).toEqual([])
  }, 60_000)
})
