import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SolanaTailRecord, TonTailRecord } from '../src/index.js'
import {
  cliEnv,
  installPackedCli,
  interruptAfterFirstLine,
  leakedKeys,
  linesOf,
  runCli,
  SECRET_KEYS,
} from './packed-cli.js'

// `tail` of the packed and installed CLI: NDJSON that parses line by line with stable field names, and the
// non-simulated path against local servers with real keys in the environment.
let cli: Awaited<ReturnType<typeof installPackedCli>>
beforeAll(async () => {
  cli = await installPackedCli()
}, 180_000)
afterAll(() => cli?.remove())

const TON_FIELDS = ['accounts', 'chain', 'data', 'finality', 'receivedAt', 'source', 'trace', 'type']
const SOLANA_FIELDS = [
  'chain',
  'done',
  'err',
  'outcome',
  'receivedAt',
  'signature',
  'slot',
  'source',
  'status',
  'tier',
]

describe('chainstream tail ton --json', () => {
  it('prints one JSON object per line, every one with the same documented fields', async () => {
    const run = await runCli(cli.bin, [
      'tail',
      'ton',
      '--simulate',
      '--seed',
      '5',
      '--json',
      '--min-finality',
      'pending',
      '--limit',
      '15',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(leakedKeys(run)).toEqual([])
    const lines = linesOf(run.stdout)
    expect(lines).toHaveLength(15)
    const records = lines.map((line) => JSON.parse(line) as TonTailRecord)
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(TON_FIELDS)
      expect(record.chain).toBe('ton')
      // The types asked for by default, and invalidations, which are always delivered.
      expect(['transactions', 'actions', 'trace_invalidated']).toContain(record.type)
      expect(record.data.type).toBe(record.type)
      if (record.type === 'trace_invalidated') expect(record).toMatchObject({ finality: null, accounts: [] })
      else expect(record.accounts.length).toBeGreaterThan(0)
      expect(Number.isNaN(Date.parse(record.receivedAt))).toBe(false)
    }
    // --min-finality pending: the simulated chain's traces are seen before they are final.
    expect(records.some((r) => r.finality === 'pending')).toBe(true)
  })

  it('follows the given addresses, the given types and the finality floor', async () => {
    const address = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'
    const raw = '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
    const run = await runCli(cli.bin, [
      'tail',
      'ton',
      '--simulate',
      '--json',
      '--address',
      address,
      '--types',
      'transactions',
      '--transport',
      'sse',
      '--limit',
      '4',
    ])
    expect(run.code, run.stderr).toBe(0)
    const records = linesOf(run.stdout).map((line) => JSON.parse(line) as TonTailRecord)
    expect(records).toHaveLength(4)
    for (const record of records) {
      expect(record).toMatchObject({ type: 'transactions', finality: 'finalized' })
      expect(record.accounts).toEqual([raw])
    }
  })
})

describe('chainstream tail solana --json', () => {
  it('prints one JSON object per update and ends by itself once every signature is done, each exactly once', async () => {
    const run = await runCli(cli.bin, ['tail', 'solana', '--simulate', '--json', '--seed', '11'])
    expect(run.code, run.stderr).toBe(0)
    expect(leakedKeys(run)).toEqual([])
    const records = linesOf(run.stdout).map((line) => JSON.parse(line) as SolanaTailRecord)
    for (const record of records) expect(Object.keys(record).sort()).toEqual(SOLANA_FIELDS)
    const signatures = new Set(records.map((r) => r.signature))
    expect(signatures.size).toBe(3)
    for (const signature of signatures) {
      const own = records.filter((r) => r.signature === signature)
      expect(
        own.filter((r) => r.done),
        signature,
      ).toHaveLength(1)
      expect(own.at(-1)?.done).toBe(true)
      expect(new Set(own.map((r) => r.status)).size, 'no status twice').toBe(own.length)
    }
  })
})

describe('chainstream tail (human-readable)', () => {
  it('prints one plain line per update on a pipe: time, signature, status, tier, and the end of each', async () => {
    const run = await runCli(cli.bin, ['tail', 'solana', '--simulate', '--seed', '11'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain('\u001b')
    const lines = linesOf(run.stdout)
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const line of lines) {
      expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}\w{10}…\w{6} {2}[a-z-]+ +tier [a-z]+/)
    }
    expect(lines.filter((line) => / done, outcome (success|failure|unknown)$/.test(line))).toHaveLength(3)
    expect(run.stderr).toMatch(/^tail solana: Venum simulator http:\/\/127\.0\.0\.1:\d+, 3 signature\(s\)$/m)
  })
})

describe('with keys from the environment, against local servers (--base-url)', () => {
  let ton: TonSimulator
  beforeAll(async () => {
    // The TON simulator accepts only the key the test sets in TONCENTER_API_KEY.
    ton = await createTonSimulator({
      keys: { [SECRET_KEYS.TONCENTER_API_KEY]: { maxConnections: 4 } },
      keepaliveMs: 500,
      lingerMs: 0,
      startUtime: Math.floor(Date.now() / 1000),
    })
  })
  afterAll(() => ton?.close())

  it('tails TON with the key it was given, and never prints it', async () => {
    const address = ton.addresses[0] as string
    const tail = runCli(cli.bin, [
      'tail',
      'ton',
      '--base-url',
      ton.url,
      '--address',
      address,
      '--json',
      '--limit',
      '2',
    ])
    const session = await ton.nextSession(30_000)
    expect(session).toBeDefined()
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    await new Promise((resolve) => setTimeout(resolve, 500))
    await trace.finish()
    const run = await tail
    expect(run.code, run.stderr).toBe(0)
    const records = linesOf(run.stdout).map((line) => JSON.parse(line) as TonTailRecord)
    expect(records.map((r) => r.trace)).toEqual([trace.traceExternalHashNorm, trace.traceExternalHashNorm])
    expect(leakedKeys(run)).toEqual([])
  })

  it('ends with one clear error line and exit 1 when the TON key is refused, without printing the key', async () => {
    const run = await runCli(
      cli.bin,
      ['tail', 'ton', '--base-url', ton.url, '--address', ton.addresses[0] as string],
      { env: cliEnv({ TONCENTER_API_KEY: 'tc-secret-refused-0123456789' }) },
    )
    expect(run.code).toBe(1)
    const errors = linesOf(run.stderr).filter((line) => line.startsWith('chainstream:'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/unauthori[sz]ed|API key/i)
    expect(run.stdout + run.stderr).not.toContain('tc-secret-refused-0123456789')
    expect(leakedKeys(run)).toEqual([])
  })

  it('tracks a TON trace with the key it was given: exit 0 once finalized', async () => {
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const tracking = runCli(cli.bin, [
      'track',
      'ton',
      trace.traceExternalHashNorm,
      '--base-url',
      ton.url,
      '--json',
    ])
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    await trace.finish()
    const run = await tracking
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(linesOf(run.stdout).at(-1) as string)).toMatchObject({
      result: 'success',
      tier: 'finalized',
    })
    expect(leakedKeys(run)).toEqual([])
  })

  it('ends a Solana track with exit 2 (outcome unknown) and one error line when Venum refuses the key', async () => {
    const venum = await createVenumSimulator({ apiKeys: ['some-other-key-000000'] })
    try {
      const run = await runCli(cli.bin, [
        'track',
        'solana',
        venumSignature(3),
        '--base-url',
        venum.url,
        '--timeout',
        '20s',
      ])
      expect(run.code, run.stdout + run.stderr).toBe(2)
      expect(run.stdout).toMatch(/outcome is unknown/)
      expect(run.stdout).toMatch(/unauthori[sz]ed|API key/i)
      expect(leakedKeys(run)).toEqual([])
    } finally {
      await venum.close()
    }
  })
})

describe('Ctrl-C', () => {
  it('ends a tail with exit 130 after closing its connections, the lines printed so far intact', async () => {
    const started = Date.now()
    const run = await interruptAfterFirstLine(cli.bin, [
      'tail',
      'ton',
      '--simulate',
      '--json',
      '--min-finality',
      'pending',
    ])
    expect(run.code, run.stderr).toBe(130)
    expect(Date.now() - started).toBeLessThan(15_000)
    for (const line of linesOf(run.stdout)) expect(JSON.parse(line)).toMatchObject({ chain: 'ton' })
    expect(run.stderr).toMatch(/tail ton: closed/)
  })

  it('ends a track with exit 130 (interrupted, not a verdict on the transaction)', async () => {
    const run = await interruptAfterFirstLine(cli.bin, [
      'track',
      'solana',
      '--simulate',
      '--simulate-outcome',
      'stalled',
    ])
    expect(run.code, run.stdout + run.stderr).toBe(130)
  })
})
