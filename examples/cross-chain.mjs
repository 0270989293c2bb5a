// The cross-chain quickstart: one tracker, a TON trace and a Solana signature, the same updates and the
// same promises for both. Runs on the local simulators (no keys, no network).
// Run after `pnpm build`: node examples/cross-chain.mjs
import { createTracker, isChainstreamError } from '@chainstream/core'
import { createToncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import { createTonSimulator, createVenumSimulator, venumSignature } from '@chainstream/testkit'

const ton = await createTonSimulator()
const solana = await createVenumSimulator({ seed: 5 })
const tracker = createTracker({
  providers: [
    createToncenter({ apiKey: 'simulator', baseUrl: ton.toncenter.baseUrl }), // real: { apiKey: process.env.TONCENTER_API_KEY }
    createVenum({ apiKey: solana.apiKey, baseUrl: solana.url }), //               real: { apiKey: process.env.VENUM_API_KEY }
  ],
})
tracker.on('update', (u) => {
  const end = u.terminal ? `  ← ${u.terminal.kind}, outcome ${u.outcome}` : ''
  console.log(
    `${u.chain.padEnd(6)} ${u.id.slice(0, 10)}… ${u.tier.padEnd(9)} (${u.providerStatus}) +${u.elapsedMs} ms${end}`,
  )
})

// A TON trace (its trace_external_hash_norm) and a Solana signature, tracked the same way.
const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
const signature = venumSignature(1, 5)
solana.addSignature(signature, 'success')
const [tonTx, solTx] = tracker.trackMany([
  { chain: 'ton', id: trace.traceExternalHashNorm },
  { chain: 'solana', id: signature },
])

setTimeout(() => void trace.finish(), 300) // the simulated chain moves the trace through its stages
try {
  const [a, b] = await Promise.all([
    tonTx.reached('confirmed', { timeoutMs: 15_000 }),
    solTx.reached('confirmed', { timeoutMs: 15_000 }),
  ])
  console.log(`both confirmed: ton after ${a.elapsedMs} ms, solana after ${b.elapsedMs} ms`)
  const [x, y] = await Promise.all([tonTx.settled(), solTx.settled()])
  console.log(`both settled: ${x.terminal.kind} / ${y.terminal.kind}`)
} catch (error) {
  if (isChainstreamError(error, 'TransactionFailed')) console.log('failed on chain:', error.message)
  else if (isChainstreamError(error, 'WaitTimeout')) console.log('outcome unknown:', error.message)
  else throw error
}
await tracker.close()
await ton.close()
await solana.close()
