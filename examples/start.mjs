// `pnpm example`: the smallest end-to-end run of the core alone. A local testkit SSE server speaks TON
// Streaming v2 framing (a `connected` acknowledgement, `event: event` frames, `: keepalive` comments);
// chainstream's core streams from it, survives a dropped connection, and prints what arrives.
// Flags: --events N (default 12), --forever.
import { createStreamEngine, sseTransport } from '@chainstream/core/provider'
import { createSseServer } from '@chainstream/testkit'
import { transactionsFrame } from '../benchmarks/frames.mjs'

const args = process.argv.slice(2)
const forever = args.includes('--forever')
const wanted = Number(args[args.indexOf('--events') + 1]) || 12

const server = await createSseServer()
let sent = 0
server.handle(async (conn) => {
  conn.open()
  conn.event({ event: 'connected', data: JSON.stringify({ status: 'subscribed' }) })
  let onThisConnection = 0
  while (!conn.isClosed) {
    await conn.pause(250)
    if (conn.isClosed) break
    if (sent % 4 === 3) conn.comment('keepalive')
    conn.event({ event: 'event', data: transactionsFrame(sent++, 300) })
    // Drop the first connection after a few events to show the reconnect.
    if (++onThisConnection === 5 && server.requests.length === 1) {
      await conn.pause(50) // let the last event reach the client: this demo has no gap recovery
      conn.drop()
    }
  }
})

const provider = {
  specificationVersion: 'v1',
  providerId: 'simulator',
  transports: { sse: sseTransport },
  open: () => ({
    transport: 'sse',
    url: `${server.url}/api/streaming/v2/sse`,
    method: 'POST',
    body: { types: ['transactions'] },
  }),
  // The server acknowledges by itself (its `connected` frame decodes as `subscribed`).
  subscribe: () => ({ kind: 'ack' }),
  decode: (frame) => {
    const value = JSON.parse(frame.message.data)
    return value.status === 'subscribed' ? { kind: 'subscribed' } : { kind: 'event', event: value }
  },
}

console.log(`simulator listening on ${server.url}`)
const stream = createStreamEngine({ provider, reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 } })
stream.on('state', (state, previous) => console.log(`state  ${previous} → ${state}`))
stream.on('error', (error) => console.log(`error  ${error.code}: ${error.message} (retrying)`))
stream.on('reconnect', ({ attempt, delayMs }) => console.log(`retry  attempt ${attempt} in ${delayMs} ms`))

let count = 0
for await (const event of stream) {
  count++
  const tx = event.transactions[0]
  console.log(
    `event  #${count} ${event.type} ${event.finality} trace ${event.trace_external_hash_norm.slice(0, 12)}… lt ${tx.lt} (${event.transactions.length} tx)`,
  )
  if (!forever && count >= wanted) break
}
await stream.close()
await server.close()
const c = stream.counters
console.log(`done   ${c.events} events, ${c.bytes} bytes, ${c.reconnects} reconnect(s)`)
