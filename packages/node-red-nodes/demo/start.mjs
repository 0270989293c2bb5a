#!/usr/bin/env node
// `pnpm start`: the TON and Venum simulators, and a Node-RED of its own on http://127.0.0.1:1880 running
// the example flows of @chainstream/node-red against them — live TON events, and a TON trace and a
// Solana signature moving through their finality tiers, with no key and no internet. With
// TONCENTER_API_KEY, TONAPI_API_KEY or VENUM_API_KEY set, that provider's nodes use the real service.
//
// It never touches a Node-RED it did not start: when port 1880 (or $PORT) is taken — by the Node-RED
// you already run, say — it leaves that one alone and starts its own on a free port, which it prints;
// and it deploys only to the child that answers with its own instance token.
//
// Options: --port N (exactly that port: if it is taken, stop before starting anything), --smoke (exit
// 0 once a TON and a Solana lifecycle have settled, 1 after 90 s: what the end-to-end test runs).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { demoFlows } from './demo-flows.mjs'
import {
  adminGet,
  deployFlows,
  freePort,
  isPortFree,
  PACKAGE_DIR,
  prepareUserDir,
  removeUserDir,
  startNodeRed,
} from './node-red-process.mjs'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)
const smoke = args.includes('--smoke')
const portArg = args.indexOf('--port')
const exactPort = portArg >= 0
const wanted = exactPort ? args[portArg + 1] : (process.env.PORT ?? '1880')
const say = (line) => process.stdout.write(`${line}\n`)

if (!/^\d+$/.test(String(wanted)) || Number(wanted) < 1 || Number(wanted) > 65_535) {
  say(`chainstream demo: ${exactPort ? '--port' : 'PORT'} must be a port number (1-65535), got ${wanted}`)
  process.exit(64)
}
// Decided before anything starts, so a taken port never leaves a half-started demo behind.
let port = Number(wanted)
if (!(await isPortFree(port))) {
  if (exactPort) {
    say(
      `chainstream demo: port ${port} is in use (another Node-RED?) — nothing was started or deployed; stop what listens there or pick another --port`,
    )
    process.exit(1)
  }
  const taken = port
  port = await freePort()
  say(`chainstream demo: port ${taken} is in use (another Node-RED?) — leaving it alone, using port ${port}`)
}

if (!existsSync(join(PACKAGE_DIR, 'dist', 'ton-stream.js'))) {
  say('chainstream demo: the package is not built yet — run `pnpm build` first.')
  process.exit(1)
}
const { createTonSimulator, createVenumSimulator } = await import('@chainstream/testkit')

const env = process.env
const modes = {
  toncenter: env.TONCENTER_API_KEY ? 'live' : 'simulator',
  tonapi: env.TONAPI_API_KEY ? 'live' : 'simulator',
  venum: env.VENUM_API_KEY ? 'live' : 'simulator',
}
const DEMO_TON_KEY = 'chainstream-demo'
// The wallets of the example flows (user-friendly forms of the simulator's accounts).
const WALLETS = [
  'UQC9ITh6Qw3yXal6GLUyAxcxthNRnhhYLf8l1kDrcJThKVlV',
  'UQCTZNtKZfayEKsxtEgCJuX91zsSjS_uLNj9V4qt0E283Yqf',
  'UQAizU9zgBhRqeO8csWzm45NsJlWzW2bjNU7TwqaXW2PCHST',
  'UQATHZKfyZxr5wDS2Wa0F_5vDwiAb7G6TnMHZE5eWZ3S4H3E',
]

const cleanup = []
let stopping = false
const stop = async (code) => {
  if (stopping) return
  stopping = true
  for (const step of cleanup.reverse()) await step().catch(() => {})
  process.exit(code)
}
process.on('SIGINT', () => void stop(0))
process.on('SIGTERM', () => void stop(0))

try {
  let ton
  if (modes.toncenter === 'simulator' || modes.tonapi === 'simulator') {
    ton = await createTonSimulator({
      keys: { [DEMO_TON_KEY]: { maxConnections: 10 } },
      keepaliveMs: 5_000,
      lingerMs: 5_000,
      addresses: WALLETS,
      startUtime: Math.floor(Date.now() / 1000),
    })
    cleanup.push(() => ton.close())
    // A trace a second; each moves pending → confirmed → finalized over a few seconds (some are
    // invalidated or fail, as on the real network).
    ton.start({ seed: Date.now() % 100_000, ratePerSecond: 1 })
  }
  let venum
  if (modes.venum === 'simulator') {
    // Tiers a second or so apart: landed → processed → confirmed → finalized in about five seconds.
    venum = await createVenumSimulator({
      lifecycles: { success: 8, failure: 1, 'verify-timeout': 1 },
      timeScale: 15,
      heartbeatIntervalMs: 5_000,
      seed: Date.now() % 100_000,
    })
    cleanup.push(() => venum.close())
  }

  const userDir = prepareUserDir()
  cleanup.push(async () => removeUserDir(userDir))
  const settled = { ton: false, solana: false }
  const red = await startNodeRed({
    redJs: require.resolve('node-red/red.js'),
    userDir,
    port,
    env: {
      ...(ton
        ? {
            CHAINSTREAM_TONCENTER_URL: ton.toncenter.baseUrl,
            CHAINSTREAM_TONAPI_URL: ton.tonapi.baseUrl,
            CHAINSTREAM_TON_V3_URL: ton.toncenter.v3BaseUrl,
          }
        : {}),
      ...(venum ? { CHAINSTREAM_VENUM_URL: venum.url } : {}),
    },
    onLine: (line) => {
      // Node-RED's own log is quiet; the flows' console debug lines (tiers, settled, errors) are shown.
      const debug = /\[debug:([^\]]+)\]\s*(.*)$/.exec(line)
      if (debug) {
        say(`  ${debug[1].padEnd(18)} ${debug[2]}`)
        if (/^ton .* finalized|^ton .* invalidated/.test(debug[2]) && /·/.test(debug[2])) settled.ton = true
        if (/^solana .*·/.test(debug[2])) settled.solana = true
      } else if (
        /\[(error|warn)\]/.test(line) &&
        !/credentials (file|not found)|Projects disabled|settings file/i.test(line)
      ) {
        say(`  node-red: ${line.replace(/^\d+ \w+ \d+:\d+:\d+ - /, '')}`)
      }
    },
  })
  cleanup.push(() => red.stop())
  await deployFlows(
    red.url,
    demoFlows({
      modes,
      keys: {
        toncenter: modes.toncenter === 'live' ? env.TONCENTER_API_KEY : DEMO_TON_KEY,
        tonapi: modes.tonapi === 'live' ? env.TONAPI_API_KEY : DEMO_TON_KEY,
        venum: modes.venum === 'live' ? env.VENUM_API_KEY : venum.apiKey,
      },
    }),
    'full',
    red.token,
  )
  const module = await adminGet(red.url, '/nodes/@chainstream%2Fnode-red', red.token)
  const broken = module.nodes.filter((set) => !set.enabled || set.err)
  if (broken.length > 0) throw new Error(`@chainstream/node-red did not load: ${JSON.stringify(broken)}`)

  say('')
  const { version } = await adminGet(red.url, '/settings', red.token)
  // The editor opens on the cross-chain lifecycle tab.
  say(`chainstream demo — Node-RED ${version} editor: ${red.url}/#flow/cs-tab-lifecycle`)
  say(
    `  TON Center: ${modes.toncenter === 'live' ? 'live (TONCENTER_API_KEY)' : `simulator ${ton.toncenter.baseUrl}`}`,
  )
  say(
    `  TonAPI:     ${modes.tonapi === 'live' ? 'live (TONAPI_API_KEY)' : `simulator ${ton.tonapi.baseUrl}`}`,
  )
  say(`  Venum:      ${modes.venum === 'live' ? 'live (VENUM_API_KEY)' : `simulator ${venum.url}`}`)
  say('  Open the editor: three tabs (TON live events, Solana transaction status, Cross-chain lifecycle).')
  say('  The debug sidebar (Ctrl-G D) shows the lifecycle updates; the raw TON events are switched off —')
  say("  click a debug node's button on the TON tab to see them. Updates are printed below; Ctrl-C stops.")
  say('')

  if (smoke) {
    const deadline = Date.now() + 90_000
    while (!(settled.ton && settled.solana) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    say(
      settled.ton && settled.solana
        ? 'smoke: TON and Solana lifecycles seen'
        : `smoke: timed out ${JSON.stringify(settled)}`,
    )
    await stop(settled.ton && settled.solana ? 0 : 1)
  } else {
    const { code } = await red.exited
    if (!stopping) {
      say(`chainstream demo: Node-RED exited (${code})`)
      await stop(code ?? 1)
    }
  }
} catch (error) {
  say(`chainstream demo: ${error instanceof Error ? error.message : String(error)}`)
  await stop(1)
}
