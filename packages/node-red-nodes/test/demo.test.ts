import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAINNET_ADDRESS, demoFlows } from '../demo/demo-flows.mjs'
import { freePort, PACKAGE_DIR } from '../demo/node-red-process.mjs'
import { ensureBuilt } from './node-red-runtimes.js'

const run = promisify(execFile)
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's environment-variable syntax, not a template
const NODE_RED_ENV_URL = '${CHAINSTREAM_TONAPI_URL}'

beforeAll(() => ensureBuilt())

describe('the demo (pnpm start)', () => {
  it('starts the simulators and Node-RED, and a TON and a Solana lifecycle settle within seconds', async () => {
    const port = await freePort()
    const env = { ...process.env }
    for (const key of ['TONCENTER_API_KEY', 'TONAPI_API_KEY', 'VENUM_API_KEY']) delete env[key]
    const started = Date.now()
    const { stdout } = await run(
      process.execPath,
      [join(PACKAGE_DIR, 'demo', 'start.mjs'), '--smoke', '--port', String(port)],
      {
        env,
        timeout: 100_000,
      },
    )
    expect(stdout).toContain(`editor: http://127.0.0.1:${port}/`)
    expect(stdout).toMatch(/TON Center: simulator http:\/\/127\.0\.0\.1:\d+/)
    // A TON trace and a Solana signature settled (the simulators pick their stories: most finalize,
    // some fail or are invalidated).
    expect(stdout).toMatch(/updates\s+ton \S+ .* · (finalized|invalidated|failed)/)
    expect(stdout).toMatch(/updates\s+solana \S+ .* · (finalized|failed)/)
    expect(stdout).toContain('smoke: TON and Solana lifecycles seen')
    expect(Date.now() - started).toBeLessThan(60_000)
  }, 110_000)

  it('points each provider whose key is set at the real service, and only that one', () => {
    const flows = demoFlows({
      modes: { toncenter: 'live', tonapi: 'simulator', venum: 'live' },
      keys: { toncenter: 'tc-key', tonapi: 'sim-key', venum: 'venum-key' },
      env: { TONCENTER_API_KEY: 'tc-key', VENUM_API_KEY: 'venum-key', SOLANA_SIGNATURE: 'sig' },
    })
    const byId = new Map(flows.map((node) => [node.id, node]))
    expect(byId.get('cs-toncenter')).toMatchObject({
      network: 'mainnet',
      baseUrl: '',
      credentials: { apiKey: 'tc-key' },
    })
    expect(byId.get('cs-tonapi')).toMatchObject({
      network: 'custom',
      baseUrl: NODE_RED_ENV_URL,
      credentials: { apiKey: 'sim-key' },
    })
    expect(byId.get('cs-venum')).toMatchObject({ baseUrl: '', credentials: { apiKey: 'venum-key' } })
    // Real accounts on the live TON Center streams; the TonAPI one keeps the simulator's wallets.
    expect(byId.get('cs-ts-stream')?.addresses).toBe(DEFAULT_MAINNET_ADDRESS)
    expect(byId.get('cs-ts-tonapi')?.addresses).not.toBe(DEFAULT_MAINNET_ADDRESS)
    // No made-up signatures against the real Venum: the given one, once.
    expect(byId.get('cs-sol-tick')).toMatchObject({
      repeat: '',
      once: true,
      payload: 'sig',
      wires: [['cs-sol-status']],
    })
  })
})
