#!/usr/bin/env node
// `pnpm chaos` — runs a range of chaos seeds on worker processes and prints what broke.
//
//   pnpm chaos                      seeds 1..200 on 2 workers
//   pnpm chaos --seeds 10000        seeds 1..10000 (about an hour on two cores)
//   pnpm chaos --from 5001 --seeds 1000 --workers 4
//   pnpm chaos --seed 1234          replays one seed and prints everything it did
//   pnpm chaos --seeds 500 --json chaos.json   also writes every result as JSON
//   pnpm chaos --seeds 2000 --scenario tracker  only the seeds of one scenario (ton-stream, venum-watch, tracker)
//
// Workers are vitest processes running `src/sweep-worker.ts`: vitest runs the TypeScript sources as they
// are, so nothing needs building first. Each appends one JSON line per seed to a temporary file; this
// script polls those files for progress and prints the summary at the end. Exit code 1 when a seed failed.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const config = fileURLToPath(new URL('../vitest.cli.config.ts', import.meta.url))
const vitest = join(repo, 'node_modules', '.bin', 'vitest')

const out = (line = '') => process.stdout.write(`${line}\n`)

function parseArgs(argv) {
  const args = { seeds: 200, from: 1, workers: 2, seed: undefined, json: undefined, scenario: undefined }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${flag} needs a value`)
      return next
    }
    if (flag === '--seeds') args.seeds = Number(value())
    else if (flag === '--from') args.from = Number(value())
    else if (flag === '--workers') args.workers = Number(value())
    else if (flag === '--seed') args.seed = Number(value())
    else if (flag === '--json') args.json = value()
    else if (flag === '--scenario') args.scenario = value()
    else if (flag === '--') continue
    else if (flag === '--help' || flag === '-h') {
      out('usage: pnpm chaos [--seeds N] [--from S] [--workers W] [--scenario NAME] [--json FILE] | --seed S')
      process.exit(0)
    } else throw new Error(`unknown option ${flag} (see --help)`)
  }
  for (const key of ['seeds', 'from', 'workers']) {
    if (!Number.isInteger(args[key]) || args[key] < 1) throw new Error(`--${key} must be a positive integer`)
  }
  if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new Error('--seed must be an integer')
  if (args.scenario !== undefined && !['ton-stream', 'venum-watch', 'tracker'].includes(args.scenario)) {
    throw new Error('--scenario must be ton-stream, venum-watch or tracker')
  }
  return args
}

function readResults(file) {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
}

function startWorker(env, logFile) {
  return new Promise((resolve) => {
    const child = spawn(vitest, ['run', '--config', config], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stdout.on('data', (chunk) => {
      log += chunk
    })
    child.stderr.on('data', (chunk) => {
      log += chunk
    })
    child.on('close', (code) => {
      writeFileSync(logFile, log)
      resolve({ code, log })
    })
  })
}

const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

function count(map, key, by = 1) {
  map.set(key, (map.get(key) ?? 0) + by)
}

function printSummary(results, args, seconds) {
  const failed = results.filter((r) => !r.ok)
  const times = results.map((r) => r.durationMs).sort((a, b) => a - b)
  out()
  const only = args.scenario ? ` (${args.scenario} only)` : ''
  out(
    `chaos: ${results.length} seeds${only} of ${args.from}..${args.from + args.seeds - 1} on ${args.workers} worker(s) in ${seconds.toFixed(0)} s`,
  )
  out(`passed ${results.length - failed.length}, failed ${failed.length}`)
  out(
    `time per seed: p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms, max ${times.at(-1) ?? 0} ms`,
  )

  const byInvariant = new Map()
  for (const r of failed)
    for (const inv of new Set(r.violations.map((v) => v.invariant))) count(byInvariant, inv)
  out('failed seeds by invariant:')
  if (byInvariant.size === 0) out('  (none)')
  for (const [inv, n] of [...byInvariant].sort((a, b) => b[1] - a[1])) out(`  ${inv.padEnd(20)} ${n}`)

  const runs = new Map()
  const fails = new Map()
  for (const r of results) {
    for (const kind of r.faults) {
      count(runs, kind)
      if (!r.ok) count(fails, kind)
    }
  }
  out('failed / run, by fault kind (a seed injects 1–3 kinds):')
  for (const [kind, n] of [...runs].sort((a, b) => a[0].localeCompare(b[0]))) {
    out(`  ${kind.padEnd(30)} ${String(fails.get(kind) ?? 0).padStart(5)} / ${n}`)
  }
  const scenarioRuns = new Map()
  const scenarioFails = new Map()
  for (const r of results) {
    count(scenarioRuns, r.scenario)
    if (!r.ok) count(scenarioFails, r.scenario)
  }
  out('failed / run, by scenario:')
  for (const [name, n] of scenarioRuns)
    out(`  ${name.padEnd(30)} ${String(scenarioFails.get(name) ?? 0).padStart(5)} / ${n}`)

  if (failed.length > 0) {
    out()
    out('failing seeds (first violation; replay for everything):')
    for (const r of failed.slice(0, 500)) {
      const first = r.violations[0]
      out(`  seed ${r.seed}: [${first.invariant}] ${first.message.split('\n')[0].slice(0, 220)}`)
      out(`    ${r.description}`)
      out(`    replay: pnpm chaos --seed ${r.seed}`)
    }
    if (failed.length > 500) out(`  … ${failed.length - 500} more (use --json FILE for all)`)
  }
}

function printReplay(result) {
  out(`seed ${result.seed}: ${result.ok ? 'passed' : 'FAILED'} in ${result.durationMs} ms`)
  out(`schedule: ${result.description}`)
  out(`stats: ${JSON.stringify(result.stats)}`)
  for (const v of result.violations) out(`  [${v.invariant}] ${v.message}`)
  out('what happened:')
  for (const note of result.notes) out(`  ${note}`)
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const dir = mkdtempSync(join(tmpdir(), 'chainstream-chaos-'))
  const started = Date.now()
  try {
    if (args.seed !== undefined) {
      const file = join(dir, 'replay.ndjson')
      const { code, log } = await startWorker(
        { CHAOS_SEEDS: String(args.seed), CHAOS_OUT: file, CHAOS_NOTES: '1' },
        join(dir, 'replay.log'),
      )
      const [result] = readResults(file)
      if (!result) {
        process.stderr.write(log)
        throw new Error(`the worker exited (${code}) without a result`)
      }
      printReplay(result)
      process.exitCode = result.ok ? 0 : 1
      return
    }

    const files = Array.from({ length: args.workers }, (_, i) => join(dir, `worker-${i}.ndjson`))
    const workers = files.map((file, i) =>
      startWorker(
        {
          CHAOS_FROM: String(args.from),
          CHAOS_TO: String(args.from + args.seeds - 1),
          CHAOS_WORKER: String(i),
          CHAOS_WORKERS: String(args.workers),
          CHAOS_OUT: file,
          ...(args.scenario ? { CHAOS_SCENARIO: args.scenario } : {}),
        },
        join(dir, `worker-${i}.log`),
      ),
    )
    out(`chaos: seeds ${args.from}..${args.from + args.seeds - 1} on ${args.workers} worker(s)`)
    let last = -1
    const progress = setInterval(() => {
      const results = files.flatMap(readResults)
      if (results.length === last) return
      last = results.length
      const failed = results.filter((r) => !r.ok).length
      const elapsed = (Date.now() - started) / 1000
      out(`  ${results.length} seeds done, ${failed} failed, ${elapsed.toFixed(0)} s`)
    }, 10_000)
    const exits = await Promise.all(workers)
    clearInterval(progress)

    const results = files.flatMap(readResults).sort((a, b) => a.seed - b.seed)
    for (const [i, exit] of exits.entries()) {
      if (exit.code !== 0) {
        process.stderr.write(`worker ${i} exited with code ${exit.code}:\n${exit.log.slice(-4_000)}\n`)
      }
    }
    printSummary(results, args, (Date.now() - started) / 1000)
    if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2))
    const crashed = exits.some((exit) => exit.code !== 0)
    if (crashed) out('a worker crashed: some seeds produced no result (see above)')
    process.exitCode = results.every((r) => r.ok) && !crashed ? 0 : 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 2
})
