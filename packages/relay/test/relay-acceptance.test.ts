import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type TonTraceHandle,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { compareFacts, expectedFacts, factsOf } from '../src/ledger-oracle.test-helper.js'
import { type NatsServer, startNatsServer } from '../src/nats-server.test-helper.js'

/**
 * The issue's acceptance run, with real processes: two relays (the `chainstream-relay` command), five
 * consumer processes and one tracker process on a real nats-server, the TON and Venum simulators in this
 * process as the upstream services and their ledgers as the oracle. Mid-stream one relay is killed
 * (SIGKILL), NATS is killed and restarted, a consumer is stopped for 30 s and started again, and the
 * tracker process is killed and restarted. Every consumer must end with exactly the ledger's facts for
 * its subscription, and every tracked id with one terminal — the same one in every process that saw it.
 */

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const CLI = here('../dist/cli.js')
const CONSUMER = here('./processes/consumer.mjs')
const TRACKER = here('./processes/tracker.mjs')
const LEASE_MS = 60_000

interface Child {
  readonly name: string
  readonly lines: Record<string, unknown>[]
  process: ChildProcess
}

const children: Child[] = []
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL')
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
})

function run(name: string, script: string, args: string[], env: Record<string, string>, into?: Child): Child {
  const child: Child = into ?? { name, lines: [], process: undefined as unknown as ChildProcess }
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.process = proc
  let buffer = ''
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      try {
        child.lines.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        child.lines.push({ kind: 'text', text: line })
      }
      newline = buffer.indexOf('\n')
    }
  })
  let errors = ''
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-4_000)
  })
  proc.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) child.lines.push({ kind: 'exit', code, stderr: errors })
  })
  if (!into) children.push(child)
  return child
}

async function until(predicate: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function stop(child: Child, signal: NodeJS.Signals): Promise<void> {
  const proc = child.process
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill(signal)
  await exited
}

const sleepUntil = async (start: number, atMs: number) => {
  const wait = start + atMs - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

describe('past one machine: relays on NATS JetStream', () => {
  it('two relays, five consumers, one tracker: kill -9 a relay, restart NATS, stop a consumer for 30 s, kill the tracker — nothing lost, nothing doubled, one terminal per id', async () => {
    if (!existsSync(CLI)) throw new Error('packages/relay/dist/cli.js is missing: run `pnpm build` first')
    const nats: NatsServer = await startNatsServer()
    cleanups.push(() => nats.close())
    const ton: TonSimulator = await createTonSimulator({
      keys: { 'relay-a': { maxConnections: 8 }, 'relay-b': { maxConnections: 8 } },
      lingerMs: 0,
      keepaliveMs: 5_000,
    })
    cleanups.push(() => ton.close())
    const solana: VenumSimulator = await createVenumSimulator({ heartbeatIntervalMs: 1_000 })
    cleanups.push(() => solana.close())
    const dir = await mkdtemp(join(tmpdir(), 'chainstream-relay-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const config = join(dir, 'relay.json')
    await writeFile(
      config,
      JSON.stringify({
        nats: { servers: nats.url },
        ton: { baseUrl: ton.toncenter.baseUrl },
        solana: { baseUrl: solana.url },
      }),
    )

    // Two relays side by side.
    const relayEnv = (key: string) => ({ TONCENTER_API_KEY: key, VENUM_API_KEY: solana.apiKey })
    const relayA = run('relay-a', CLI, ['--config', config], relayEnv('relay-a'))
    const relayB = run('relay-b', CLI, ['--config', config], relayEnv('relay-b'))
    for (const relay of [relayA, relayB]) {
      await until(
        () => relay.lines.some((line) => line.kind === 'text' && String(line.text).includes('ready')),
        20_000,
        () => `${relay.name} ready: ${JSON.stringify(relay.lines)}`,
      )
    }

    // Five workers, each with its own subscription.
    const [w0, w1, w2, w3] = ton.addresses as [string, string, string, string]
    const scopes = [
      { accounts: [w0], types: ['transactions'] as const },
      { accounts: [w1], types: ['transactions', 'actions'] as const },
      { accounts: [w0, w2], types: ['transactions'] as const },
      { accounts: [w3], types: ['actions'] as const },
      { accounts: [w0, w1, w2, w3], types: ['transactions', 'actions'] as const },
    ]
    const consumerEnv = (index: number) => ({
      NATS_URL: nats.url,
      CONSUMER_NAME: `worker-${index}`,
      LEASE_MS: String(LEASE_MS),
      SUBSCRIPTION: JSON.stringify({ types: scopes[index]?.types, addresses: scopes[index]?.accounts }),
    })
    const consumers = scopes.map((_, index) => run(`worker-${index}`, CONSUMER, [], consumerEnv(index)))
    for (const consumer of consumers) {
      await until(
        () => consumer.lines.some((line) => line.kind === 'subscribed'),
        30_000,
        () => `${consumer.name} subscribed: ${JSON.stringify(consumer.lines.slice(-3))}`,
      )
    }

    // The tracked ids: TON traces (successes, failures, invalidations) and Solana signatures.
    const traces: { handle: TonTraceHandle; expect: [string, string] }[] = []
    for (let i = 0; i < 10; i++) {
      const addresses = [ton.addresses[i % 4] as string, ton.addresses[(i + 1) % 4] as string]
      if (i < 6) traces.push({ handle: ton.emitTrace({ addresses }), expect: ['finalized', 'success'] })
      else if (i < 8)
        traces.push({ handle: ton.emitTrace({ addresses, failed: true }), expect: ['finalized', 'failure'] })
      else
        traces.push({
          handle: ton.emitTrace({ addresses, stages: ['pending', 'confirmed', 'invalidated'] }),
          // Retracted after it was seen confirmed with a successful execution: the outcome stays known.
          expect: ['invalidated', 'success'],
        })
    }
    const signatures: { id: string; fails: boolean }[] = []
    for (let i = 0; i < 10; i++) {
      const id = venumSignature(100 + i, 11)
      solana.addSignature(id, 'manual')
      signatures.push({ id, fails: i >= 7 })
    }
    const ids = [
      ...traces.map((trace) => ({ chain: 'ton', id: trace.handle.traceExternalHashNorm })),
      ...signatures.map((signature) => ({ chain: 'solana', id: signature.id })),
    ]
    const trackerEnv = {
      NATS_URL: nats.url,
      CONSUMER_NAME: 'tracker',
      LEASE_MS: String(LEASE_MS),
      IDS: JSON.stringify(ids),
    }
    const firstTracker = run('tracker-1', TRACKER, [], trackerEnv)
    await until(
      () => firstTracker.lines.some((line) => line.kind === 'tracking'),
      20_000,
      () => 'the tracker started',
    )
    await new Promise((resolve) => setTimeout(resolve, 1_000))

    const since = ton.ledger.mark()
    const start = Date.now()
    ton.start({ seed: 12, ratePerSecond: 6, addresses: ton.addresses })
    const advanceTraces = async (from: number, to: number) => {
      for (const trace of traces.slice(from, to)) await trace.handle.advance()
    }
    const advanceSignatures = (from: number, to: number, step: 'landed' | 'confirmed' | 'final') => {
      for (const signature of signatures.slice(from, to)) {
        if (step === 'landed') solana.advance(signature.id, 'landed')
        // A failure ends early: those ids settle before the tracker is killed.
        else if (step === 'confirmed')
          solana.advance(signature.id, signature.fails ? 'failed' : 'confirmed', { err: 'InstructionError' })
        else if (step === 'final' && !signature.fails) solana.advance(signature.id, 'finalized')
      }
    }

    await sleepUntil(start, 1_000)
    await advanceTraces(0, 10) // pending
    advanceSignatures(0, 10, 'landed')
    await sleepUntil(start, 3_000)
    await stop(relayA, 'SIGKILL') // the relay dies mid-stream; the other one carries on
    await sleepUntil(start, 4_000)
    await advanceTraces(0, 5) // confirmed
    advanceSignatures(0, 5, 'confirmed')
    advanceSignatures(7, 10, 'confirmed') // the failures
    await sleepUntil(start, 6_000)
    await nats.restart() // NATS killed and started again on the same store
    await sleepUntil(start, 8_000)
    const stopped = consumers[2] as Child
    await stop(stopped, 'SIGTERM') // a worker stops for 30 s
    const stoppedAt = Date.now()
    await sleepUntil(start, 9_000)
    await advanceTraces(5, 10) // confirmed
    advanceSignatures(5, 7, 'confirmed')
    await sleepUntil(start, 10_000)
    await stop(firstTracker, 'SIGKILL') // the tracker dies mid-lifecycle
    await sleepUntil(start, 12_000)
    await advanceTraces(0, 5) // finalized (or failed at finalized, or invalidated)
    advanceSignatures(0, 5, 'final')
    await sleepUntil(start, 13_000)
    const secondTracker = run('tracker-2', TRACKER, [], trackerEnv)
    await sleepUntil(start, 16_000)
    for (const trace of traces) await trace.handle.finish()
    advanceSignatures(5, 10, 'final')
    await sleepUntil(stoppedAt, 30_000)
    run(stopped.name, CONSUMER, [], consumerEnv(2), stopped)
    await sleepUntil(start, 40_000)
    await ton.stop({ finish: true })

    // Every consumer gets its facts; the tracker settles every id.
    const expected = scopes.map((scope) =>
      expectedFacts(ton, { accounts: scope.accounts, types: scope.types, since }),
    )
    const delivered = (child: Child) => child.lines.filter((line) => line.kind === 'event').flatMap(factsOf)
    const terminalsOf = (child: Child) =>
      child.lines.filter((line) => line.kind === 'update' && line.terminal !== undefined)
    await until(
      () =>
        consumers.every((consumer, index) => delivered(consumer).length >= (expected[index]?.length ?? 0)) &&
        terminalsOf(secondTracker).length >= ids.length,
      40_000,
      () =>
        consumers
          .map(
            (consumer, index) => `${consumer.name} ${delivered(consumer).length}/${expected[index]?.length}`,
          )
          .join(', ') + `, tracker terminals ${terminalsOf(secondTracker).length}/${ids.length}`,
    )
    await new Promise((resolve) => setTimeout(resolve, 1_000)) // anything doubled arrives too

    consumers.forEach((consumer, index) => {
      const want = expected[index] as string[]
      expect(want.length, `${consumer.name} had something to receive`).toBeGreaterThan(20)
      expect(compareFacts(want, delivered(consumer)), consumer.name).toEqual({
        lost: [],
        duplicated: [],
        unexpected: [],
      })
    })
    // The stopped worker really was away, and caught up after.
    expect(stopped.lines.filter((line) => line.kind === 'subscribed')).toHaveLength(2)

    // One terminal per id: the first tracker's and the second's are the same recorded one.
    const byId = (child: Child) => {
      const map = new Map<string, Record<string, unknown>[]>()
      for (const line of child.lines) {
        if (line.kind !== 'update') continue
        const list = map.get(String(line.id)) ?? []
        list.push(line)
        map.set(String(line.id), list)
      }
      return map
    }
    const tierRank = (tier: unknown) =>
      ['unknown', 'pending', 'included', 'confirmed', 'finalized'].indexOf(String(tier))
    const before = byId(firstTracker)
    const after = byId(secondTracker)
    let settledBeforeKill = 0
    ids.forEach(({ id }, index) => {
      for (const updates of [before.get(id) ?? [], after.get(id) ?? []]) {
        const ranks = updates.map((update) => tierRank(update.tier))
        expect(
          [...ranks].sort((x, y) => x - y),
          `${id} tiers never go down`,
        ).toEqual(ranks)
        expect(updates.filter((update) => update.terminal !== undefined).length).toBeLessThanOrEqual(1)
      }
      const end = (after.get(id) ?? []).find((update) => update.terminal !== undefined)
      expect(end, `${id} settled`).toBeDefined()
      // The restarted tracker resumed the recorded lifecycle: every tier the first one saw keeps the
      // time it was reached then (read from KV), not the time the second process started.
      const lastBefore = (before.get(id) ?? []).at(-1)
      const reached = (lastBefore?.tierReachedAt ?? {}) as Record<string, number>
      for (const [tier, at] of Object.entries(reached)) {
        expect((end?.tierReachedAt as Record<string, number> | undefined)?.[tier], `${id} ${tier} time`).toBe(
          at,
        )
      }
      const earlier = (before.get(id) ?? []).find((update) => update.terminal !== undefined)
      if (earlier) {
        settledBeforeKill++
        expect(end?.terminal).toEqual(earlier.terminal)
      }
      const want =
        index < traces.length
          ? (traces[index]?.expect as [string, string])
          : signatures[index - traces.length]?.fails
            ? ['failed', 'failure']
            : ['finalized', 'success']
      expect([(end?.terminal as { kind?: string } | undefined)?.kind, end?.outcome], id).toEqual(want)
    })
    // The tracker was killed mid-lifecycle: some ids were settled before, the rest after.
    expect(settledBeforeKill).toBeGreaterThan(0)
    expect(settledBeforeKill).toBeLessThan(ids.length)
    // The surviving relay served everyone after the other one died.
    expect(relayB.process.exitCode).toBeNull()
    process.stdout.write(
      `acceptance: ${consumers.map((consumer, index) => `${consumer.name} ${expected[index]?.length} facts`).join(', ')}; ` +
        `${ids.length} ids, ${settledBeforeKill} settled before the tracker was killed; ${Math.round((Date.now() - start) / 1000)} s\n`,
    )
  }, 150_000)
})
