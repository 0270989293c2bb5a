// The tracker process of the acceptance test: one tracker over a named relay client, tracking the ids
// it is given. Prints every update; SIGKILL is how the test stops it.
import { createTracker } from '@chainstream/core'
import { createRelayClient } from '@chainstream/relay'

const { NATS_URL, CONSUMER_NAME, IDS, LEASE_MS } = process.env
const client = createRelayClient({ servers: NATS_URL, name: CONSUMER_NAME, leaseMs: Number(LEASE_MS) })
const tracker = createTracker({ providers: [client.ton, client.solana] })
const write = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)
const tracks = tracker.trackMany(JSON.parse(IDS))
for (const track of tracks) {
  track.on('update', (update) =>
    write({
      kind: 'update',
      chain: update.chain,
      id: update.id,
      tier: update.tier,
      outcome: update.outcome,
      terminal: update.terminal,
      tierReachedAt: update.tierReachedAt,
    }),
  )
}
write({ kind: 'tracking', count: tracks.length })
