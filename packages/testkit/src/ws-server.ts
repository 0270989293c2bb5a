import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { WsServerConnection } from './ws-server-connection.js'
import { type WsRefusal, writeUpgradeRefusal } from './ws-upgrade-refusal.js'

export type { WsCloseInfo, WsServerRequest } from './ws-server-connection.js'
export { WsServerConnection } from './ws-server-connection.js'
export type { WsRefusal } from './ws-upgrade-refusal.js'

/** Options of {@link createWsServer}. */
export interface WsServerOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** Only upgrades to this path are accepted (others get 404); it becomes part of {@link WsServer.url}. */
  path?: string
}

/** One upgrade request as the server received it. */
export interface WsUpgradeRecord {
  /** Path and query. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** `Date.now()` at arrival. */
  readonly at: number
}

/**
 * Scripts one accepted connection. Exceptions (and the rejection of a returned promise) are recorded in
 * {@link WsServer.handlerErrors} and close the connection with 1011. Any other return value is ignored, so
 * `(c) => c.onMessage(…)` is a valid handler.
 */
export type WsConnectionHandler = (connection: WsServerConnection) => unknown

/** A real WebSocket server on loopback, scripted per connection, with fault injection. */
export interface WsServer {
  /** `ws://host:port` (plus the configured path). */
  readonly url: string
  readonly port: number
  /** Every upgrade request, accepted or not, in order. */
  readonly upgrades: readonly WsUpgradeRecord[]
  /** Every accepted connection, in order. */
  readonly connections: readonly WsServerConnection[]
  /** How many upgrades were accepted. */
  readonly connectionCount: number
  /** How many accepted connections are still open. */
  readonly activeConnections: number
  /** What handlers and message listeners threw. */
  readonly handlerErrors: readonly unknown[]
  /** The handler for connections no {@link WsServer.handleNext} handler is queued for. */
  handle(handler: WsConnectionHandler): void
  /** Queues a one-shot handler: the next accepted connection gets the first queued one. */
  handleNext(handler: WsConnectionHandler): void
  /** Refuses the next upgrade with this HTTP response (queued in order with {@link WsServer.stallNext}). */
  rejectNext(refusal: WsRefusal): void
  /** Accepts TCP for the next upgrade but never answers it (an open-timeout scenario). */
  stallNext(): void
  /** Resolves with the next accepted connection not yet returned by an earlier call (one already accepted counts). */
  nextConnection(timeoutMs?: number): Promise<WsServerConnection>
  /** Drops every connection and stops listening. */
  close(): Promise<void>
}

type UpgradeAction = { kind: 'reject'; refusal: WsRefusal } | { kind: 'stall' }

const DEFAULT_WAIT_MS = 5_000

/** Starts a {@link WsServer} on an ephemeral port. */
export async function createWsServer(options: WsServerOptions = {}): Promise<WsServer> {
  const host = options.host ?? '127.0.0.1'
  const server = new ScriptedWsServer(host, options.path)
  await server.listen()
  return server
}

class ScriptedWsServer implements WsServer {
  readonly upgrades: WsUpgradeRecord[] = []
  readonly connections: WsServerConnection[] = []
  readonly handlerErrors: unknown[] = []
  readonly #host: string
  readonly #path: string | undefined
  readonly #http: Server
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #active = new Set<WsServerConnection>()
  readonly #stalled = new Set<Duplex>()
  readonly #actions: UpgradeAction[] = []
  readonly #oneShot: WsConnectionHandler[] = []
  #default: WsConnectionHandler | undefined
  #connectionWaiters: Array<(connection: WsServerConnection) => void> = []
  #cursor = 0
  #port = 0
  #closing: Promise<void> | undefined

  constructor(host: string, path: string | undefined) {
    this.#host = host
    this.#path = path
    this.#http = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' })
      response.end('WebSocket upgrade required')
    })
    this.#http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(request, socket, head),
    )
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host
    return `ws://${host}:${this.#port}${this.#path ?? ''}`
  }

  get port(): number {
    return this.#port
  }

  get connectionCount(): number {
    return this.connections.length
  }

  get activeConnections(): number {
    return this.#active.size
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject)
      this.#http.listen(0, this.#host, () => {
        this.#http.off('error', reject)
        this.#port = (this.#http.address() as AddressInfo).port
        resolve()
      })
    })
  }

  handle(handler: WsConnectionHandler): void {
    this.#default = handler
  }

  handleNext(handler: WsConnectionHandler): void {
    this.#oneShot.push(handler)
  }

  rejectNext(refusal: WsRefusal): void {
    this.#actions.push({ kind: 'reject', refusal })
  }

  stallNext(): void {
    this.#actions.push({ kind: 'stall' })
  }

  nextConnection(timeoutMs = DEFAULT_WAIT_MS): Promise<WsServerConnection> {
    const ready = this.connections[this.#cursor]
    if (ready) {
      this.#cursor++
      return Promise.resolve(ready)
    }
    return new Promise((resolve, reject) => {
      const waiter = (connection: WsServerConnection) => {
        clearTimeout(timer)
        this.#cursor++
        resolve(connection)
      }
      const timer = setTimeout(() => {
        this.#connectionWaiters = this.#connectionWaiters.filter((w) => w !== waiter)
        reject(new Error(`no WebSocket connection within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#connectionWaiters.push(waiter)
    })
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const connection of this.#active) connection.terminate()
      for (const socket of this.#stalled) socket.destroy()
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
      await new Promise<void>((resolve) => {
        this.#http.close(() => resolve())
        this.#http.closeAllConnections()
      })
    })()
    return this.#closing
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '/'
    this.upgrades.push({ url, headers: request.headers, at: Date.now() })
    if (this.#closing) {
      socket.destroy()
      return
    }
    if (this.#path !== undefined && new URL(url, 'http://localhost').pathname !== this.#path) {
      writeUpgradeRefusal(socket, { status: 404, body: `no WebSocket endpoint at ${url}` })
      return
    }
    const action = this.#actions.shift()
    if (action?.kind === 'reject') {
      writeUpgradeRefusal(socket, action.refusal)
      return
    }
    if (action?.kind === 'stall') {
      // Keep the socket (so close() can drop it) and never write a byte.
      this.#stalled.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => this.#stalled.delete(socket))
      return
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: WsServerConnection = new WsServerConnection(
        ws,
        { url, headers: request.headers },
        (error) => this.#failed(connection, error),
      )
      this.#accept(connection)
    })
  }

  #accept(connection: WsServerConnection): void {
    this.connections.push(connection)
    this.#active.add(connection)
    void connection.closed.then(() => this.#active.delete(connection))
    this.#connectionWaiters.shift()?.(connection)
    const handler = this.#oneShot.shift() ?? this.#default
    if (!handler) return
    try {
      // Only a thenable is awaited: a concise arrow may return anything (an unsubscribe function, say).
      const result = handler(connection)
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.#failed(connection, error))
    } catch (error) {
      this.#failed(connection, error)
    }
  }

  /** A throwing script must not take the server down; it ends its own connection the way a real server would. */
  #failed(connection: WsServerConnection, error: unknown): void {
    this.handlerErrors.push(error)
    if (!connection.isClosed) connection.close(1011, 'test handler failed')
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
