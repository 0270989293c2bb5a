import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, installPackedCli, leakedKeys, linesOf, runCli, SECRET_KEYS } from './packed-cli.js'

// Bad input to the packed and installed CLI: one line on stderr saying what to fix, nothing on stdout,
// exit 64 — and never a key, though every run has them in its environment.
let cli: Awaited<ReturnType<typeof installPackedCli>>
beforeAll(async () => {
  cli = await installPackedCli()
}, 180_000)
afterAll(() => cli?.remove())

const SIGNATURE_65_BYTES = 'z'.repeat(88)

const CASES: ReadonlyArray<{ what: string; args: string[]; says: RegExp; env?: NodeJS.ProcessEnv }> = [
  {
    what: 'a malformed TON address',
    args: ['tail', 'ton', '--address', 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHX'],
    says: /Invalid TON address .*checksum/,
  },
  {
    what: 'a TON address among good ones (comma-separated)',
    args: [
      'tail',
      'ton',
      '--address',
      '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E,0:12',
    ],
    says: /Invalid TON address "0:12": the account id has 2 hex digits instead of 64/,
  },
  {
    what: 'a malformed Solana signature',
    args: ['track', 'solana', 'not-a-signature'],
    says: /The signature "not-a-signature" is 15 characters long; a signature is 86–88 base58 characters/,
  },
  {
    what: 'a signature that is not 64 bytes',
    args: ['tail', 'solana', '--signature', SIGNATURE_65_BYTES],
    says: /decodes to 65 bytes; a signature is 64 bytes/,
  },
  {
    what: 'a malformed trace hash',
    args: ['track', 'ton', 'abc123'],
    says: /Invalid TON trace id "abc123": track a trace by its trace_external_hash_norm/,
  },
  {
    what: 'an unknown flag',
    args: ['tail', 'ton', '--simulate', '--adress', 'x'],
    says: /unknown option '--adress'/,
  },
  { what: 'an unknown command', args: ['follow', 'ton'], says: /unknown command 'follow'/ },
  {
    what: 'an unknown event type',
    args: ['tail', 'ton', '--simulate', '--types', 'transactions,blocks'],
    says: /Unknown event type "blocks": choose from transactions, actions, trace, account_state_change, jettons_change/,
  },
  {
    what: 'an unknown tier',
    args: ['track', 'ton', '--simulate', '--until', 'included-ish'],
    says: /--until/,
  },
  {
    what: 'a bad duration',
    args: ['track', 'solana', '--simulate', '--timeout', 'soon'],
    says: /"soon" is not a duration/,
  },
  {
    what: 'a bad transport',
    args: ['tail', 'ton', '--simulate', '--transport', 'http'],
    says: /choices are sse, ws/i,
  },
  {
    what: 'a Solana invalidation (Solana has none)',
    args: ['track', 'solana', '--simulate', '--simulate-outcome', 'invalidated'],
    says: /Solana has no invalidation/,
  },
  {
    what: 'a scripted outcome without the simulator',
    args: ['track', 'solana', '--simulate-outcome', 'failure'],
    says: /needs the signature to follow|use it together with --simulate/,
  },
  { what: 'tail ton without an address', args: ['tail', 'ton'], says: /needs at least one --address/ },
  {
    what: 'a trace subscription without hashes (refused before any request)',
    args: [
      'tail',
      'ton',
      '--address',
      '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E',
      '--types',
      'trace',
    ],
    says: /trace/,
  },
  {
    what: 'no TON key in the environment',
    args: ['track', 'ton', 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='],
    env: cliEnv({ TONCENTER_API_KEY: undefined, TONAPI_API_KEY: undefined }),
    says: /TON Center needs an API key: set TONCENTER_API_KEY .*--simulate/,
  },
  {
    what: 'no Venum key in the environment',
    args: ['tail', 'solana', '--signature', '5'.repeat(87)],
    env: cliEnv({ VENUM_API_KEY: undefined }),
    says: /Venum needs an API key: set VENUM_API_KEY/,
  },
]

describe('bad input exits 64 with one line', () => {
  it.each(CASES)('$what', async ({ args, says, env }) => {
    const run = await runCli(cli.bin, args, env === undefined ? {} : { env })
    expect(run.code, run.stderr).toBe(64)
    expect(run.stdout).toBe('')
    const lines = linesOf(run.stderr)
    expect(lines, run.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/^chainstream: /)
    expect(lines[0]).toMatch(says)
    expect(leakedKeys(run)).toEqual([])
  })
})

describe('a key pasted where an id belongs', () => {
  // The value is quoted back in the error: the one place the CLI could echo a key it was given.
  it.each([
    ['tail ton --address', ['tail', 'ton', '--address', SECRET_KEYS.TONCENTER_API_KEY]],
    ['track ton', ['track', 'ton', SECRET_KEYS.TONAPI_API_KEY]],
    ['tail solana --signature', ['tail', 'solana', '--signature', SECRET_KEYS.VENUM_API_KEY]],
  ])('%s: exit 64, one line, the key replaced by ***', async (_what, args) => {
    const run = await runCli(cli.bin, args)
    expect(run.code).toBe(64)
    expect(linesOf(run.stderr)).toHaveLength(1)
    expect(run.stderr).toContain('***')
    expect(leakedKeys(run)).toEqual([])
  })
})

describe('help and version', () => {
  it('prints the help on stdout and exits 0', async () => {
    const run = await runCli(cli.bin, ['track', 'ton', '--help'])
    expect(run.code).toBe(0)
    for (const flag of [
      '--until',
      '--timeout',
      '--json',
      '--simulate',
      '--simulate-outcome',
      '--transport',
    ]) {
      expect(run.stdout).toContain(flag)
    }
  })

  it('prints the version of the installed package', async () => {
    const run = await runCli(cli.bin, ['--version'])
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('takes keys only from the environment: a key given as a flag is an unknown option, and not echoed', async () => {
    const run = await runCli(cli.bin, [
      'tail',
      'ton',
      '--simulate',
      '--api-key',
      SECRET_KEYS.TONCENTER_API_KEY,
    ])
    expect(run.code).toBe(64)
    expect(linesOf(run.stderr)).toHaveLength(1)
    expect(leakedKeys(run)).toEqual([])
  })
})
