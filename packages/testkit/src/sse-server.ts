import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { listen } from './listen.js'
import { type RecordedRequest, recordRequest } from './request-record.js'
import { createSseServerConnection, type SseServerConnection } from './sse-server-connection.js'

/** Scripts one connection: answer with `conn.respond`, or `conn.open` and stream. Returning does not end it. */
export type SseHandler = (conn: SseServerConnection) => void | Promise<void>

/** Options of {@link createSseServer}. */
export interface SseServerOptions {
  /** The loopback address to listen on. @default '127.0.0.1' */
  host?: string
}

/** A real HTTP server on an ephemeral loopback port that serves scripted SSE responses. */
export interface SseServer {
  /** The base URL, `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[]
  /** Every scripted connection (one per request), in arrival order. */
  readonly connections: readonly SseServerConnection[]
  /** Sets the handler for every request not taken by a {@link SseServer.handleNext} handler. */
  handle(handler: SseHandler): void
  /** Queues a one-shot handler: the next request without one takes the first queued, and so on. */
  handleNext(handler: SseHandler): void
  /** Sockets accepted so far. */
  readonly connectionCount: number
  /** Sockets open now. */
  readonly activeConnections: number
  /** Destroys every socket and stops listening. */
  close(): Promise<void>
}

/**
 * Starts a scriptable SSE/HTTP server on loopback, for tests, demos and benchmarks. Dependency-free
 * (`node:http`). A handler that throws gets a 500 answer (or a dropped socket when it had already
 * started the response), and the server keeps serving. Without any handler, requests get a 404.
 *
 * @example
 * ```ts
 * const server = await createSseServer()
 * server.handle(async (conn) => {
 *   conn.open()
 *   await conn.event({ event: 'block', data: { height: 1 }, id: '1' })
 *   conn.end()
 * })
 * // … connect to `${server.url}/stream` …
 * await server.close()
 * ```
 */
export async function createSseServer(options: SseServerOptions = {}): Promise<SseServer> {
  const host = options.host ?? '127.0.0.1'
  const requests: RecordedRequest[] = []
  const connections: SseServerConnection[] = []
  const queued: SseHandler[] = []
  const sockets = new Set<Socket>()
  let defaultHandler: SseHandler | undefined
  let connectionCount = 0

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = await recordRequest(req)
    requests.push(request)
    const conn = createSseServerConnection(req, res, request)
    connections.push(conn)
    const handler = queued.shift() ?? defaultHandler
    try {
      if (handler) await handler(conn)
      else await conn.respond(404, { error: 'no handler installed on the test server' })
    } catch (error) {
      if (conn.isClosed) return
      if (res.headersSent) conn.drop()
      else await conn.respond(500, { error: `test server handler failed: ${String(error)}` })
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // Reading the request failed (the client went away); nothing left to answer.
      req.socket.destroy()
    })
  })
  server.on('connection', (socket) => {
    connectionCount++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  const url = await listen(server, host)

  return {
    url,
    requests,
    connections,
    handle: (handler) => {
      defaultHandler = handler
    },
    handleNext: (handler) => {
      queued.push(handler)
    },
    get connectionCount() {
      return connectionCount
    },
    get activeConnections() {
      return sockets.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
