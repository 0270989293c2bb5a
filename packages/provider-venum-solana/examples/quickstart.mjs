// The Solana quickstart, on the local Venum simulator: no API key, no network.
// Run it after `pnpm build`: node packages/provider-venum-solana/examples/quickstart.mjs
import { isChainstreamError } from '@chainstream/core'
import { createVenum } from '@chainstream/provider-venum-solana'
import { createVenumSimulator, venumSignature } from '@chainstream/testkit'

const print = (line) => process.stdout.write(`${line}\n`)
const short = (signature) => `${signature.slice(0, 6)}…`

// A simulated Venum: most transactions finalize, some fail after landing, some time out.
const sim = await createVenumSimulator({
  seed: 7,
  lifecycles: { success: 6, failure: 2, 'verify-timeout': 1 },
})
const venum = createVenum({ apiKey: sim.apiKey, baseUrl: sim.url }) // in production: { apiKey: process.env.VENUM_API_KEY }

// 1. Watch any number of signatures (12 → two streams of at most 10).
const signatures = Array.from({ length: 12 }, (_, i) => venumSignature(i))
const watch = venum.watch({ signatures })
await watch.ready // subscribed: this is when you would send your transactions
for await (const update of watch) {
  const end = update.done ? `  ← done, outcome ${update.outcome}` : ''
  print(
    `${short(update.signature)} ${update.status.padEnd(14)} from ${update.source.padEnd(8)} tier ${update.tier}${end}`,
  )
}

// 2. Wait for one signature to reach a tier: resolves only on success.
const failing = venumSignature(100)
sim.addSignature(failing, 'failure')
try {
  await venum.waitFor(failing, 'confirmed', { timeoutMs: 5_000 })
} catch (error) {
  if (isChainstreamError(error, 'TransactionFailed'))
    print(`\nwaitFor ${short(failing)}: failed on chain — ${error.message}`)
  else if (isChainstreamError(error, 'WaitTimeout'))
    print(`\nwaitFor ${short(failing)}: outcome unknown — ${error.message}`)
  else throw error
}

// 3. One REST lookup, typed.
const status = await venum.status(signatures[0])
print(
  `\nstatus ${short(status.signature)}: ${status.status} / ${status.confirmationStatus} → tier ${status.tier}, ${status.outcome}`,
)

await sim.close()
