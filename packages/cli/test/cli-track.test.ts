import { compareTiers } from '@chainstream/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrackResultRecord, TrackUpdateRecord } from '../src/index.js'
import { type CliRun, installPackedCli, leakedKeys, linesOf, runCli, runCliInTerminal } from './packed-cli.js'

// `track --simulate` of the packed and installed CLI: every exit code from a scripted outcome.
let cli: Awaited<ReturnType<typeof installPackedCli>>
beforeAll(async () => {
  cli = await installPackedCli()
}, 180_000)
afterAll(() => cli?.remove())

const ESC = '\u001b'

type TrackLine = TrackUpdateRecord | TrackResultRecord

function records(run: CliRun): TrackLine[] {
  return linesOf(run.stdout).map((line) => JSON.parse(line) as TrackLine)
}

/** The NDJSON of a run: updates in tier order, exactly one result, last, agreeing with the exit code. */
function checkedResult(run: CliRun): { updates: TrackUpdateRecord[]; result: TrackResultRecord } {
  expect(leakedKeys(run)).toEqual([])
  const all = records(run)
  const result = all.at(-1) as TrackResultRecord
  const updates = all.slice(0, -1) as TrackUpdateRecord[]
  expect(result.kind, run.stdout).toBe('result')
  expect(updates.every((u) => u.kind === 'update')).toBe(true)
  expect(result.exitCode).toBe(run.code)
  for (let i = 1; i < updates.length; i++) {
    expect(
      compareTiers(updates[i]!.tier, updates[i - 1]!.tier),
      'no tier going backwards',
    ).toBeGreaterThanOrEqual(0)
  }
  expect(updates.filter((u) => u.terminal !== null).length, 'at most one terminal').toBeLessThanOrEqual(1)
  return { updates, result }
}

const track = (chain: string, ...args: string[]) =>
  runCli(cli.bin, ['track', chain, '--simulate', '--json', ...args])

describe.each(['ton', 'solana'])('chainstream track %s --simulate', (chain) => {
  it('exits 0 when the transaction reaches finalized', async () => {
    const run = await track(chain)
    expect(run.code, run.stderr).toBe(0)
    const { updates, result } = checkedResult(run)
    expect(result).toMatchObject({ result: 'success', tier: 'finalized', outcome: 'success' })
    expect(updates.at(-1)).toMatchObject({ tier: 'finalized', terminal: 'finalized', watch: 'reached' })
    expect(updates.map((u) => u.tier)).toContain('pending')
  })

  it('exits 1 when the transaction fails', async () => {
    const run = await track(chain, '--simulate-outcome', 'failure')
    expect(run.code, run.stderr).toBe(1)
    const { result } = checkedResult(run)
    expect(result).toMatchObject({ result: 'failed', outcome: 'failure' })
    expect(result.message).toMatch(/failed/)
  })

  it('exits 2 when it times out before the target (the outcome is unknown)', async () => {
    const run = await track(chain, '--simulate-outcome', 'stalled', '--timeout', '4s')
    expect(run.code, run.stderr).toBe(2)
    const { updates, result } = checkedResult(run)
    expect(result).toMatchObject({ result: 'timed out', tier: 'pending', outcome: 'unknown' })
    expect(updates.at(-1)).toMatchObject({ watch: 'timed_out', terminal: null })
  })

  it('exits 0 at --until confirmed, before the transaction is final', async () => {
    const run = await track(chain, '--until', 'confirmed')
    expect(run.code, run.stderr).toBe(0)
    const { updates, result } = checkedResult(run)
    expect(result).toMatchObject({ result: 'success', tier: 'confirmed' })
    expect(updates.some((u) => u.tier === 'finalized')).toBe(false)
  })
})

describe('chainstream track ton: invalidation', () => {
  it('exits 1 when the trace is invalidated', async () => {
    const run = await track('ton', '--simulate-outcome', 'invalidated')
    expect(run.code, run.stderr).toBe(1)
    const { updates, result } = checkedResult(run)
    expect(result).toMatchObject({ result: 'invalidated' })
    expect(updates.at(-1)).toMatchObject({ terminal: 'invalidated', providerStatus: 'trace_invalidated' })
  })

  it('tracks on the TonAPI profile with --provider tonapi', async () => {
    const run = await track('ton', '--provider', 'tonapi', '--transport', 'sse')
    expect(run.code, run.stderr).toBe(0)
    expect(checkedResult(run).result).toMatchObject({ result: 'success', tier: 'finalized' })
  })

  it('follows the trace hash it is given, in any accepted form (hex here), normalised', async () => {
    const hex = 'ab'.repeat(32)
    const run = await track('ton', hex)
    expect(run.code, run.stderr).toBe(0)
    const { result } = checkedResult(run)
    expect(result.id).toBe(Buffer.from(hex, 'hex').toString('base64'))
  })
})

describe('the timeline', () => {
  it('is redrawn in place on a terminal: spinner, tier, outcome, provider status, elapsed time, then the verdict', async () => {
    const run = await runCliInTerminal(cli.bin, ['track', 'ton', '--simulate'])
    expect(run.code, run.stdout).toBe(0)
    expect(leakedKeys(run)).toEqual([])
    const screen = run.stdout
    // In place: the cursor goes up and lines are erased between frames (log-update's redraw).
    expect(screen).toMatch(new RegExp(`${ESC}\\[\\d*A`))
    expect(screen).toContain(`${ESC}[2K`)
    // A spinner while waiting (cli-spinners' dots), the fields, and the elapsed time ticking.
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/)
    for (const field of ['waiting for finalized', 'tier', 'outcome', 'provider', 'timeline']) {
      expect(screen).toContain(field)
    }
    const elapsed = [...screen.matchAll(/waiting for finalized — (\d+\.\d\d)s/g)].map((m) => Number(m[1]))
    expect(new Set(elapsed).size).toBeGreaterThan(3)
    expect(screen).toMatch(/reached finalized.*\(exit 0\)/)
  })

  it('exits 2 on a terminal too when the transaction stalls; --no-color leaves only the cursor movements', async () => {
    const run = await runCliInTerminal(cli.bin, [
      '--no-color',
      'track',
      'solana',
      '--simulate',
      '--simulate-outcome',
      'stalled',
      '--timeout',
      '4s',
    ])
    expect(run.code, run.stdout).toBe(2)
    expect(run.stdout).toMatch(/timed out: the outcome is unknown/)
    expect(run.stdout).toMatch(new RegExp(`${ESC}\\[\\d*A`))
    // No colour or bold (SGR: ESC [ … m).
    expect(run.stdout).not.toMatch(new RegExp(`${ESC}\\[[\\d;]*m`))
  })

  it('is plain lines, one per update, when stdout is not a terminal', async () => {
    const run = await runCli(cli.bin, ['track', 'solana', '--simulate'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain(ESC)
    const lines = linesOf(run.stdout)
    expect(lines[0]).toMatch(/^track solana \w+ until finalized/)
    const updates = lines.filter((line) => line.startsWith('+'))
    expect(updates.map((line) => /tier (\w+)/.exec(line)?.[1])).toEqual([
      'pending',
      'included',
      'confirmed',
      'finalized',
    ])
    expect(lines.at(-1)).toMatch(
      /^✔ reached finalized — tier finalized, outcome success, after \d+\.\d\ds \(exit 0\)$/,
    )
  })
})
