import { connect, createServer, type Socket } from 'node:net'

/** A TCP relay in front of a simulator whose reading side can be stopped: a consumer that stalls. */
export interface StallProxy {
  /** `http://127.0.0.1:PORT`, to pass as the client's `baseUrl`. */
  readonly url: string
  /** Stops reading from the server on every connection (new ones too): the server's writes back up. */
  stall(): void
  resume(): void
  /** Connections relayed now. */
  readonly open: number
  /**
   * Whether no notification-sized chunk (keepalives and pongs are tiny) went to the client for `ms`: the
   * backlog of a stall has been handed over.
   */
  quietFor(ms: number): boolean
  close(): Promise<void>
}

interface Pair {
  readonly client: Socket
  readonly upstream: Socket
}

/**
 * In one process, a consumer that blocks its event loop also blocks the simulator, so it can never make
 * the server's buffers overflow. A stall is therefore modelled where it matters to the server — on the
 * wire: the relay stops reading the server's bytes, exactly what a stalled consumer's socket does. The
 * client still uses only the public API; it is just pointed at the relay.
 */
export async function createStallProxy(target: string): Promise<StallProxy> {
  const { hostname, port } = new URL(target)
  const pairs = new Set<Pair>()
  let stalled = false
  let lastChunkAt = 0
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    const pair = { client, upstream }
    pairs.add(pair)
    if (stalled) upstream.pause()
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
    client.on('close', end)
    upstream.on('close', end)
    client.on('data', (chunk) => {
      if (!upstream.write(chunk)) client.pause()
    })
    upstream.on('drain', () => client.resume())
    upstream.on('data', (chunk: Buffer) => {
      if (chunk.length >= 512) lastChunkAt = Date.now()
      if (!client.write(chunk)) upstream.pause()
    })
    client.on('drain', () => {
      if (!stalled) upstream.resume()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the stall proxy has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    stall() {
      stalled = true
      for (const pair of pairs) pair.upstream.pause()
    },
    resume() {
      stalled = false
      for (const pair of pairs) pair.upstream.resume()
    },
    get open() {
      return pairs.size
    },
    quietFor: (ms) => !stalled && Date.now() - lastChunkAt >= ms,
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        server.close(() => resolve())
      }),
  }
}
