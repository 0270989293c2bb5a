// The TON quickstart. With TONCENTER_API_KEY set it streams from TON Center mainnet; without it, from the
// local TON simulator (no key, no network). Run after `pnpm build`: node examples/ton-quickstart.mjs
import { createToncenter } from '@chainstream/provider-toncenter'
import { createTonSimulator } from '@chainstream/testkit'

const apiKey = process.env.TONCENTER_API_KEY
const sim = apiKey ? undefined : await createTonSimulator({ keepaliveMs: 1_000 })
const toncenter = apiKey
  ? createToncenter({ apiKey, network: 'mainnet' })
  : createToncenter({ apiKey: 'simulator', baseUrl: sim.toncenter.baseUrl })
// Any address form works; the simulator's wallets stand in for yours.
const addresses = apiKey
  ? (process.env.TON_ADDRESSES ?? 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF').split(',')
  : sim.addresses.slice(0, 2)

const stream = toncenter.stream({
  transport: 'websocket',
  types: ['transactions', 'actions'],
  addresses,
  minFinality: 'pending',
})
stream.on('state', (state) => console.log(`state   ${state}`))
stream.on('transactions', (event) => {
  const lts = event.transactions.map((tx) => tx.lt).join(', ')
  console.log(
    `tx      ${event.finality.padEnd(9)} trace ${event.trace_external_hash_norm.slice(0, 10)}… lt ${lts} (${event.source})`,
  )
})
// A handler of its own with a stricter filter: only finalized jetton transfers reach it.
stream.on('actions', (event) => console.log(`jetton  ${event.actions.length} finalized jetton transfer(s)`), {
  minFinality: 'finalized',
  actionTypes: ['jetton_transfer'],
})
stream.on('trace_invalidated', (event) =>
  console.log(`invalid trace ${event.trace_external_hash_norm.slice(0, 10)}… — drop what it showed`),
)

await stream.waitSubscribed({ timeoutMs: 15_000 })
sim?.start({ seed: 3, ratePerSecond: 4, actionTypes: ['ton_transfer', 'jetton_transfer'] })
await new Promise((resolve) => setTimeout(resolve, Number(process.env.RUN_MS ?? 6_000)))
await stream.close()
await sim?.stop()
await sim?.close()
console.log(`done    ${stream.counters.events} events, ${stream.counters.reconnects} reconnect(s)`)
