import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const EXAMPLE = join(ROOT, 'examples', 'metrics-prometheus.mjs')

/** One sample of Prometheus' text format: `name{labels} value`. */
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the text exposition format (what a Prometheus server reads): samples and `# TYPE` lines. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type) types.set(type[1]!, type[2]!)
    if (line === '' || line.startsWith('#')) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!sample) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (sample[2] ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key!] = value!
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) })
  }
  return { types, samples }
}

const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)

/**
 * The documented Prometheus example, run as a user runs it (the built packages, `node examples/…`),
 * scraped over HTTP like a Prometheus server would.
 */
describe('examples/metrics-prometheus.mjs', () => {
  let child: ChildProcess
  let url: string
  let output = ''

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'packages', 'core', 'dist', 'opentelemetry.js'))) {
      throw new Error('the packages are not built: run `pnpm build` first (pnpm test does)')
    }
    child = spawn(process.execPath, [EXAMPLE], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', RUN_MS: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed:\n${output}`)), 15_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8')
        const found = /metrics at (http:\/\/\S+)/.exec(output)
        if (found) {
          clearTimeout(timer)
          resolve(found[1]!)
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => reject(new Error(`the example exited (${code}):\n${output}`)))
    })
  }, 30_000)

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  })

  const scrape = async () => {
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    return parseExposition(await response.text())
  }

  it('serves chainstream metrics with Prometheus names and types, and their values move', async () => {
    // Wait for the first settled tracks (a TON trace and a Solana signature a second).
    let first = await scrape()
    const deadline = Date.now() + 20_000
    while (total(first.samples, 'chainstream_tracker_terminals_total') < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      first = await scrape()
    }
    const expected: Record<string, string> = {
      chainstream_stream_events_received_total: 'counter',
      chainstream_stream_events_delivered_total: 'counter',
      chainstream_stream_events_recovered_total: 'counter',
      chainstream_stream_events_reconciled_total: 'counter',
      chainstream_stream_events_dropped_total: 'counter',
      chainstream_stream_received_bytes_total: 'counter',
      chainstream_stream_connections_total: 'counter',
      chainstream_stream_reconnects_total: 'counter',
      chainstream_stream_errors_total: 'counter',
      chainstream_stream_state: 'gauge',
      chainstream_stream_connect_duration_seconds: 'histogram',
      chainstream_tracker_updates_total: 'counter',
      chainstream_tracker_terminals_total: 'counter',
      chainstream_tracker_targets_reached_total: 'counter',
      chainstream_tracker_tracks_active: 'gauge',
      chainstream_tracker_tier_duration_seconds: 'histogram',
      chainstream_tracker_settle_duration_seconds: 'histogram',
    }
    for (const [name, type] of Object.entries(expected))
      expect([name, first.types.get(name)]).toEqual([name, type])

    const wallets = { messaging_destination_name: 'wallets', messaging_system: 'toncenter' }
    expect(
      total(first.samples, 'chainstream_stream_state', {
        ...wallets,
        chainstream_connection_state: 'subscribed',
      }),
    ).toBe(1)
    expect(total(first.samples, 'chainstream_stream_connections_total', wallets)).toBe(1)
    expect(total(first.samples, 'chainstream_stream_received_bytes_total', wallets)).toBeGreaterThan(0)
    expect(total(first.samples, 'chainstream_tracker_terminals_total')).toBeGreaterThanOrEqual(2)
    expect(
      total(first.samples, 'chainstream_tracker_tier_duration_seconds_count', {
        chainstream_chain: 'ton',
        chainstream_tier: 'finalized',
      }),
    ).toBeGreaterThanOrEqual(1)

    await new Promise((r) => setTimeout(r, 2_000))
    const second = await scrape()
    for (const name of [
      'chainstream_stream_events_delivered_total',
      'chainstream_stream_received_bytes_total',
      'chainstream_tracker_updates_total',
    ]) {
      expect([name, total(second.samples, name)]).toEqual([name, expect.any(Number)])
      expect(total(second.samples, name), name).toBeGreaterThan(total(first.samples, name))
    }
    // Delivered = received live + recovered + reconciled, per stream.
    expect(total(second.samples, 'chainstream_stream_events_delivered_total', wallets)).toBe(
      total(second.samples, 'chainstream_stream_events_received_total', wallets) +
        total(second.samples, 'chainstream_stream_events_recovered_total', wallets) +
        total(second.samples, 'chainstream_stream_events_reconciled_total', wallets),
    )
    // No label carries an address, a signature or a trace hash: every label value is a short name.
    for (const sample of second.samples) {
      for (const [key, value] of Object.entries(sample.labels)) {
        expect([sample.name, key, value.length <= 40]).toEqual([sample.name, key, true])
      }
    }
  }, 40_000)

  it('stops cleanly on SIGTERM (every connection and server closed)', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 20_000)
})
