// The servers of the ingest benchmarks, on the testkit: one HTTP server (TON streaming over SSE, and an
// API v3 that knows no history, for the provider's recovery baseline) and one WebSocket server. Each
// connection gets the number of frames its `x-bench-events` header asks for, as fast as the socket
// takes them, and then stays open (an end would make a reconnecting client come back mid-measurement).
import { createSseServer, createWsServer } from '@chainstream/testkit'

const CHUNK_BYTES = 64 * 1024
/** Above this many unsent bytes the WebSocket sender waits for the socket to drain. */
const WS_HIGH_WATER = 1024 * 1024

/** API v3 with no history: the recovery baseline finds nothing and starts from now. */
const EMPTY_V3 = { transactions: [], actions: [], traces: [], address_book: {}, metadata: {} }

const countOf = (headers) => {
  const count = Number(headers['x-bench-events'])
  if (!Number.isSafeInteger(count) || count < 0) throw new Error('x-bench-events header missing')
  return count
}

/** Starts both servers; `frame(i)` is the JSON text of notification `i`. */
export async function startIngestServers(frame) {
  const http = await createSseServer()
  http.handle(async (conn) => {
    if (conn.request.url.includes('/api/v3/')) return conn.respond(200, EMPTY_V3)
    const count = countOf(conn.request.headers)
    conn.open()
    let chunk = 'event: connected\ndata: {"status":"subscribed"}\n\n'
    for (let i = 0; i < count && !conn.isClosed; i++) {
      chunk += `event: event\ndata: ${frame(i)}\n\n`
      if (chunk.length >= CHUNK_BYTES || i === count - 1) {
        if (!conn.send(chunk)) await conn.drain()
        chunk = ''
      }
    }
  })

  const ws = await createWsServer()
  ws.handle((conn) => {
    const count = countOf(conn.request.headers)
    conn.onMessage(async (text) => {
      const message = JSON.parse(text)
      if (message.operation === 'ping') conn.send(JSON.stringify({ id: message.id, status: 'pong' }))
      if (message.operation !== 'subscribe') return
      conn.send(JSON.stringify({ id: message.id, status: 'subscribed' }))
      for (let i = 0; i < count && !conn.isClosed; i++) {
        conn.send(frame(i))
        if (conn.bufferedAmount > WS_HIGH_WATER) await conn.drain()
      }
    })
  })

  return {
    httpUrl: http.url,
    wsUrl: ws.url,
    close: () => Promise.all([http.close(), ws.close()]),
  }
}
