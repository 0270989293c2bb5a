// A worker process of the acceptance test: one named relay client with one TON stream. Prints one JSON
// line per event (the facts the oracle compares) and `subscribed` once the relay follows it; SIGTERM
// closes it cleanly (its acknowledgements land, its consumer and lease stay for the next start).
import { createRelayClient } from '@chainstream/relay'

const { NATS_URL, CONSUMER_NAME, SUBSCRIPTION, LEASE_MS } = process.env
const client = createRelayClient({ servers: NATS_URL, name: CONSUMER_NAME, leaseMs: Number(LEASE_MS) })
const stream = client.ton.stream({ ...JSON.parse(SUBSCRIPTION), minFinality: 'pending' })
const write = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)
stream.on('event', (event) => {
  write({
    kind: 'event',
    type: event.type,
    finality: event.finality,
    trace_external_hash_norm: event.trace_external_hash_norm,
    transactions:
      event.type === 'transactions' ? event.transactions.map((tx) => ({ hash: tx.hash })) : undefined,
    actions:
      event.type === 'actions' ? event.actions.map((action) => ({ action_id: action.action_id })) : undefined,
  })
})
stream.on('close', (error) => write({ kind: 'closed', error: error?.message }))
await stream.waitSubscribed({ timeoutMs: 60_000 })
write({ kind: 'subscribed' })
process.once('SIGTERM', async () => {
  await client.close()
  process.exit(0)
})
