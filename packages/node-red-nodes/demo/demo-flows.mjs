// The demo's flows: the package's example flows, merged (they share their configuration nodes) and
// pointed at the simulators — or, for each provider whose API key is set, at the real service.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_DIR } from './node-red-process.mjs'

/** A mainnet account to watch when TON_ADDRESSES is not set (replace it with your own). */
export const DEFAULT_MAINNET_ADDRESS = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'

/**
 * The debug nodes of the raw TON events: switched off in the demo, so that the debug sidebar shows the
 * lifecycle updates rather than the firehose (each one's button switches it on in the editor).
 */
export const FIREHOSE_DEBUG_NODES = ['cs-ts-debug', 'cs-ts-debug-2', 'cs-ts-debug-3']

/** Every example flow of the package, config nodes once. */
export function exampleFlows(dir = join(PACKAGE_DIR, 'examples')) {
  const byId = new Map()
  // The tabs in reading order: live events, one chain's transactions, then both chains together.
  const order = ['ton-stream.json', 'solana-tx-status.json', 'tx-lifecycle.json']
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length)
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  for (const file of files) {
    for (const node of JSON.parse(readFileSync(join(dir, file), 'utf8'))) {
      if (!byId.has(node.id)) byId.set(node.id, node)
    }
  }
  return [...byId.values()]
}

/**
 * Adapts the example flows to what runs: `modes` says per provider `'simulator'` or `'live'`; `keys`
 * holds the API keys (the simulators' own keys in simulator mode). The examples reach the simulators
 * through `${CHAINSTREAM_…}` environment variables, so they also work when imported by hand.
 */
export function demoFlows({ modes, keys, env = process.env }) {
  const flows = exampleFlows().map((node) => ({ ...node }))
  const byId = new Map(flows.map((node) => [node.id, node]))
  for (const id of FIREHOSE_DEBUG_NODES) {
    const node = byId.get(id)
    if (node) node.active = false
  }
  const tonLive = modes.toncenter === 'live' || modes.tonapi === 'live'
  const toncenter = byId.get('cs-toncenter')
  if (toncenter) {
    toncenter.credentials = { apiKey: keys.toncenter }
    if (modes.toncenter === 'live') {
      Object.assign(toncenter, {
        name: 'TON Center',
        network: env.TON_NETWORK || 'mainnet',
        baseUrl: '',
        v3BaseUrl: '',
      })
    }
  }
  const tonapi = byId.get('cs-tonapi')
  if (tonapi) {
    tonapi.credentials = { apiKey: keys.tonapi }
    if (modes.tonapi === 'live') {
      Object.assign(tonapi, {
        name: 'TonAPI',
        network: env.TON_NETWORK || 'mainnet',
        baseUrl: '',
        v3BaseUrl: '',
      })
      if (env.TONCENTER_API_KEY) tonapi.credentials.toncenterApiKey = env.TONCENTER_API_KEY
    }
  }
  const venum = byId.get('cs-venum')
  if (venum) {
    venum.credentials = { apiKey: keys.venum }
    if (modes.venum === 'live') Object.assign(venum, { name: 'Venum', baseUrl: '' })
  }
  if (tonLive) {
    // Real accounts to watch: the simulator's wallets mean nothing on mainnet.
    const addresses = (env.TON_ADDRESSES || DEFAULT_MAINNET_ADDRESS).split(/[\s,]+/).filter(Boolean)
    for (const node of flows) {
      if (node.type !== 'ton-stream') continue
      const live = (node.provider === 'tonapi' ? modes.tonapi : modes.toncenter) === 'live'
      if (live && node.addresses) node.addresses = addresses.join('\n')
    }
  }
  if (modes.venum === 'live') {
    // Made-up signatures would only time out on the real network: track the given one, once, instead.
    const signature = env.SOLANA_SIGNATURE
    for (const [injectId, target] of [
      ['cs-sol-tick', 'cs-sol-status'],
      ['cs-life-tick', 'cs-life-solana'],
    ]) {
      const inject = byId.get(injectId)
      if (!inject) continue
      Object.assign(inject, { repeat: '', once: Boolean(signature), wires: [[target]] })
      if (signature)
        Object.assign(inject, { name: 'SOLANA_SIGNATURE', payload: signature, payloadType: 'str' })
    }
  }
  return flows
}
