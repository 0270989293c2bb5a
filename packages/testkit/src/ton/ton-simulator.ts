import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { answerCors } from '../cors.js'
import { listen } from '../listen.js'
import { type RecordedRequest, recordRequest } from '../request-record.js'
import { writeUpgradeRefusal } from '../ws-upgrade-refusal.js'
import { parseTonAddress } from './address.js'
import { handleV3 } from './api-v3.js'
import { extractKey, KeyRegistry } from './auth.js'
import { ChainState } from './chain-state.js'
import { ConnectionLimiter } from './connection-limiter.js'
import { KNOWN_JETTONS } from './directory.js'
import { FaultQueue, type TonFault, type TonFaultTarget } from './faults.js'
import { decodeGoJson, goJsonStringify } from './go-json.js'
import { send, sendFault, sendJson } from './http-respond.js'
import { Ledger, LedgerTraceRecord } from './ledger.js'
import { type LingerPolicy, lingerFor } from './linger-policy.js'
import { adjustForConnection, bookNeeds } from './notification-filter.js'
import { Prng } from './prng.js'
import { routeOf, TON_PATHS, type TonFlavour } from './routes.js'
import { type CreateRun, Scenario, type TonScenarioOptions } from './scenario.js'
import { resolveSendBuffer, type SendBufferLimits } from './send-buffer.js'
import type { SessionBase, TonSession } from './session.js'
import type {
  TonAccountStateInit,
  TonConnectionStats,
  TonJettonChangeInit,
  TonSessionTarget,
  TonSimulator,
  TonSimulatorOptions,
  TonTraceInit,
} from './simulator-api.js'
import { SseSession } from './sse-session.js'
import { SubscribedListeners, type TonSubscribedListener } from './subscribed-listeners.js'
import { SSE_REQUEST, sseSubscription, validateTargets } from './subscription.js'
import { buildTrace } from './trace-builder.js'
import { type Publish, type TonTraceHandle, TraceRun, traceHandle, validateStages } from './trace-run.js'
import type { TonAccountStateNotification, TonJettonsNotification, TonStage } from './wire-types.js'
import { WsSession } from './ws-session.js'

export type {
  TonAccountStateInit,
  TonConnectionStats,
  TonJettonChangeInit,
  TonSessionTarget,
  TonSimulator,
  TonSimulatorOptions,
  TonTraceInit,
} from './simulator-api.js'

const DEFAULT_STAGES: readonly TonStage[] = ['pending', 'confirmed', 'finalized']
const flushed = () => new Promise<void>((resolve) => setImmediate(resolve))
const noop = () => {}

function rawAddress(input: string): string {
  const raw = parseTonAddress(input)
  if (raw === undefined) throw new TypeError(`invalid TON address: ${input}`)
  return raw
}

const isJsonContentType = (value: string | undefined) =>
  (value ?? '').split(';')[0]?.trim().toLowerCase().endsWith('json') === true

const header = (request: RecordedRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Starts a TON Streaming API v2 simulator (TON Center and TonAPI paths, SSE and WebSocket) with API v3
 * answered from the same ledger. See `README.md` in this folder for the behaviour and every option.
 *
 * @example
 * ```ts
 * const sim = await createTonSimulator({ keys: { k: { maxConnections: 2 } }, lingerMs: 200 })
 * const trace = sim.emitTrace({ addresses: sim.addresses.slice(0, 2) })
 * // connect a client to sim.toncenter.sseUrl with X-API-Key: k, then:
 * await trace.advance()
 * await sim.close()
 * ```
 */
export async function createTonSimulator(options: TonSimulatorOptions = {}): Promise<TonSimulator> {
  const simulator = new TonSimulatorServer(options)
  await simulator.listen(options.host ?? '127.0.0.1')
  return simulator
}

class TonSimulatorServer implements TonSimulator {
  readonly ledger = new Ledger()
  readonly sessions: SessionBase[] = []
  readonly requests: RecordedRequest[] = []
  readonly v3Calls: Record<string, number> = {}
  readonly addresses: readonly string[]
  readonly #http: Server
  readonly #wss = new WebSocketServer({ noServer: true, autoPong: false })
  readonly #keys: KeyRegistry
  readonly #limiter = new ConnectionLimiter()
  readonly #linger: LingerPolicy
  readonly #sendBuffer: SendBufferLimits
  readonly #subscribed = new SubscribedListeners()
  readonly #faults = new FaultQueue()
  readonly #v3Delays: { ms: number; left: number }[] = []
  readonly #chain: ChainState
  readonly #prng: Prng
  readonly #keepaliveMs: number
  readonly #v3Without: ReadonlySet<string>
  readonly #open = new Set<SessionBase>()
  readonly #strays = new Set<WebSocket>()
  #sessionWaiters: Array<{ resolve: (session: TonSession) => void; reject: (error: Error) => void }> = []
  #sessionCursor = 0
  #scenario: Scenario | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #closing: Promise<void> | undefined
  #url = ''

  constructor(options: TonSimulatorOptions) {
    this.#keys = new KeyRegistry(options.keys)
    this.#linger = { lingerMs: options.lingerMs ?? 60_000, wsLingerMs: options.wsLingerMs ?? 0 }
    this.#sendBuffer = resolveSendBuffer(options.sendBuffer)
    this.#keepaliveMs = options.keepaliveMs ?? 15_000
    this.#v3Without = new Set(options.apiV3Without ?? [])
    this.#prng = new Prng(options.seed ?? 1)
    this.#chain = new ChainState({
      startUtime: options.startUtime ?? 1_785_480_000,
      startLt: BigInt(options.startLt ?? '86711284000000'),
    })
    const walletPrng = new Prng((options.seed ?? 1) ^ 0x5eed)
    this.addresses = options.addresses
      ? options.addresses.map(rawAddress)
      : Array.from({ length: 4 }, () => walletPrng.address())
    this.#http = createServer((req, res) => {
      this.#onRequest(req, res).catch(() => req.socket.destroy())
    })
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    )
  }

  async listen(host: string): Promise<void> {
    this.#url = await listen(this.#http, host)
  }

  get url(): string {
    return this.#url
  }

  get toncenter() {
    const ws = this.#url.replace(/^http/, 'ws')
    return {
      baseUrl: this.#url,
      sseUrl: `${this.#url}${TON_PATHS.toncenterSse}`,
      wsUrl: `${ws}${TON_PATHS.toncenterWs}`,
      v3BaseUrl: `${this.#url}${TON_PATHS.v3}`,
    }
  }

  get tonapi() {
    const ws = this.#url.replace(/^http/, 'ws')
    return {
      baseUrl: this.#url,
      sseUrl: `${this.#url}${TON_PATHS.tonapiSse}`,
      wsUrl: `${ws}${TON_PATHS.tonapiWs}`,
    }
  }

  get connections(): TonConnectionStats {
    const open = [...this.#open]
    const byKey: Record<string, { active: number; lingering: number }> = {}
    for (const key of this.#limiter.keys()) byKey[key] = this.#limiter.counts(key)
    return {
      active: open.length,
      sse: open.filter((s) => s.transport === 'sse').length,
      ws: open.filter((s) => s.transport === 'ws').length,
      lingering: Object.values(byKey).reduce((sum, counts) => sum + counts.lingering, 0),
      byKey,
    }
  }

  nextSession(timeoutMs = 5_000): Promise<TonSession> {
    const ready = this.sessions[this.#sessionCursor]
    if (ready) {
      this.#sessionCursor++
      return Promise.resolve(ready)
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (session: TonSession) => {
          clearTimeout(timer)
          resolve(session)
        },
        reject: (error: Error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      const timer = setTimeout(() => {
        this.#sessionWaiters = this.#sessionWaiters.filter((w) => w !== waiter)
        reject(new Error(`no streaming session within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#sessionWaiters.push(waiter)
    })
  }

  // --- emitting -------------------------------------------------------------------------------------

  readonly #publish: Publish = (notification, involved, metadataFor) => {
    const seq = this.ledger.record(notification)
    const open = [...this.#open]
    let full: Record<string, unknown> = notification as unknown as Record<string, unknown>
    if (notification.type !== 'trace_invalidated' && notification.type !== 'account_state_change') {
      const needs = bookNeeds(
        notification,
        involved,
        open.map((s) => s.state),
      )
      if (needs.addressBook || needs.metadata) {
        full = { ...full }
        if (needs.addressBook) full.address_book = this.#chain.directory.addressBook(involved)
        if (needs.metadata) full.metadata = this.#chain.directory.metadata(metadataFor ?? involved)
      }
    }
    this.#deliver(full, open, seq)
  }

  #deliver(notification: Record<string, unknown>, sessions: readonly SessionBase[], seq: number): void {
    for (const session of sessions) {
      // Filtered (and remembered for invalidation) before the send buffers, as the server's manager does:
      // a dropped snapshot still makes its trace_invalidated due.
      const out = adjustForConnection(notification, session.state, session.remembered)
      if (out) session.deliver(out, seq)
    }
  }

  readonly #createRun: CreateRun = (spec, stages, prng) => {
    const built = buildTrace(this.#chain, prng, {
      ...spec,
      jetton: spec.jetton ?? (KNOWN_JETTONS[0]?.address as string),
    })
    const record = new LedgerTraceRecord(built, stages)
    this.ledger.addTrace(record)
    return new TraceRun(record, this.#publish, () => this.#chain.finalizeBlock())
  }

  emitTrace(init: TonTraceInit): TonTraceHandle {
    const addresses = init.addresses.map(rawAddress)
    const sender = addresses[0]
    if (sender === undefined) throw new TypeError('emitTrace needs at least one address')
    const stages = [...(init.stages ?? DEFAULT_STAGES)]
    validateStages(stages)
    const run = this.#createRun(
      {
        sender,
        counterparties: addresses.slice(1),
        actionTypes: init.actionTypes ?? ['ton_transfer'],
        failed: init.failed ?? false,
        ...(init.traceExternalHashNorm === undefined
          ? {}
          : { traceExternalHashNorm: init.traceExternalHashNorm }),
        ...(init.jetton === undefined ? {} : { jetton: rawAddress(init.jetton) }),
        ...(init.amount === undefined ? {} : { amount: init.amount }),
      },
      stages,
      this.#prng,
    )
    return traceHandle(run)
  }

  async emitAccountState(init: TonAccountStateInit): Promise<TonAccountStateNotification> {
    const account = rawAddress(init.account)
    const record = this.#chain.account(account, this.#prng)
    const notification: TonAccountStateNotification = {
      type: 'account_state_change',
      finality: init.finality,
      account,
      state: { ...this.#chain.accountState(record), ...init.state },
    }
    this.#publish(notification, [account])
    await flushed()
    return notification
  }

  async emitJettonChange(init: TonJettonChangeInit): Promise<TonJettonsNotification> {
    const owner = rawAddress(init.owner)
    const jetton = init.jetton === undefined ? (KNOWN_JETTONS[0]?.address as string) : rawAddress(init.jetton)
    const wallet = this.#chain.jettonWallet(owner, jetton)
    const balance =
      init.balance === undefined ? this.#chain.jettonBalance(wallet, this.#prng) : BigInt(init.balance)
    this.#chain.jettonBalances.set(wallet, balance)
    const record = this.#chain.account(wallet, this.#prng)
    const notification: TonJettonsNotification = {
      type: 'jettons_change',
      finality: init.finality,
      jetton: {
        address: wallet,
        balance: balance.toString(),
        owner,
        jetton,
        last_transaction_lt: record.lastTxLt.toString(),
        code_hash: record.codeHash,
        data_hash: record.dataHash,
      },
    }
    this.#publish(notification, [wallet, owner, jetton], [owner, jetton])
    await flushed()
    return notification
  }

  async broadcast(notification: Record<string, unknown>): Promise<void> {
    const seq = this.ledger.record(notification)
    this.#deliver(notification, [...this.#open], seq)
    await flushed()
  }

  #newScenario(options: TonScenarioOptions): Scenario {
    const addresses = options.addresses ? options.addresses.map(rawAddress) : this.addresses
    return new Scenario(options, addresses, this.#createRun)
  }

  start(options: TonScenarioOptions = {}): void {
    if (this.#closing) throw new Error('the simulator is closed')
    if (this.#timer) clearInterval(this.#timer)
    const scenario = this.#newScenario(options)
    this.#scenario = scenario
    this.#timer = setInterval(() => scenario.tick(), 1000 / (options.ratePerSecond ?? 5))
  }

  async step(ticks = 1, options: TonScenarioOptions = {}, only?: readonly string[]): Promise<void> {
    this.#scenario ??= this.#newScenario(options)
    const wallets = only?.map(rawAddress)
    if (wallets?.length === 0) throw new TypeError('step(…, only): name at least one wallet')
    for (let i = 0; i < ticks; i++) this.#scenario.tick(wallets)
    await flushed()
  }

  async stop(options: { finish?: boolean } = {}): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    if (options.finish) this.#scenario?.finish()
    await flushed()
  }

  // --- faults ---------------------------------------------------------------------------------------

  #targets(target: TonSessionTarget): SessionBase[] {
    return target === 'all' ? [...this.#open] : this.sessions.filter((s) => s === target)
  }

  sendKeepalive(): void {
    for (const session of this.#open) if (session instanceof SseSession) session.keepalive()
  }

  dropConnections(filter: { key?: string; transport?: 'sse' | 'ws'; linger?: boolean } = {}): number {
    const chosen = [...this.#open].filter(
      (s) =>
        (filter.key === undefined || s.key === filter.key) &&
        (filter.transport === undefined || s.transport === filter.transport),
    )
    for (const session of chosen) {
      session.droppedByServer = { linger: filter.linger ?? true }
      session.drop()
    }
    return chosen.length
  }

  silence(target: TonSessionTarget = 'all'): void {
    for (const session of this.#targets(target)) session.silence()
  }

  stopAnsweringPings(target: TonSessionTarget = 'all'): void {
    for (const session of this.#targets(target)) if (session.transport === 'ws') session.answersPings = false
  }

  resumeAnsweringPings(target: TonSessionTarget = 'all'): void {
    for (const session of this.#targets(target)) if (session.transport === 'ws') session.answersPings = true
  }

  failNext(fault: TonFault): void {
    this.#faults.push(fault)
  }

  clearFaults(on?: TonFaultTarget): void {
    this.#faults.clear(on)
  }

  delayApiV3(delay: { ms: number; times?: number }): void {
    this.#v3Delays.push({ ms: delay.ms, left: delay.times ?? 1 })
  }

  clearLinger(): void {
    this.#limiter.clearLinger()
  }

  onSubscribed(listener: TonSubscribedListener): () => void {
    return this.#subscribed.add(listener)
  }

  // --- HTTP -----------------------------------------------------------------------------------------

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A preflight is the browser asking, not a request of the API: answered, and not recorded.
    if (answerCors(req, res)) return
    const request = await recordRequest(req)
    this.requests.push(request)
    if (this.#closing) {
      req.socket.destroy()
      return
    }
    const url = new URL(request.url, 'http://localhost')
    const route = routeOf(url.pathname)
    switch (route.kind) {
      case 'sse':
        this.#serveSse(req, res, request, url, route.flavour)
        return
      case 'v3':
        this.#serveV3(res, request, url, route.endpoint)
        return
      case 'ws':
        // What the WebSocket middleware answers to a plain request.
        send(res, 426, 'Upgrade Required', { 'content-type': 'text/plain; charset=utf-8' })
        return
      default:
        sendJson(res, 404, { error: 'not found' })
        return
    }
  }

  #serveSse(
    req: IncomingMessage,
    res: ServerResponse,
    request: RecordedRequest,
    url: URL,
    flavour: TonFlavour,
  ): void {
    const fault = this.#faults.take('sse')
    if (fault) {
      sendFault(res, fault)
      return
    }
    if (request.method !== 'POST') {
      sendJson(res, 405, { error: 'method not allowed' }, { allow: 'POST' })
      return
    }
    const key = extractKey(flavour, request.headers, url)
    const limits = key === undefined ? undefined : this.#keys.limits(key)
    if (key !== undefined && limits === undefined) {
      sendJson(res, 401, { error: 'API key does not exist' })
      return
    }
    // The server's body parser only takes JSON content types; anything else is "Unprocessable Entity".
    if (!isJsonContentType(header(request, 'content-type'))) {
      sendJson(res, 400, { error: 'invalid subscription request: Unprocessable Entity' })
      return
    }
    const decoded = decodeGoJson(request.body, SSE_REQUEST)
    if (!decoded.ok) {
      sendJson(res, 400, { error: `invalid subscription request: ${decoded.error}` })
      return
    }
    const id = decoded.value.id as string | undefined
    const failWith = (status: number, error: string) =>
      sendJson(res, status, id === undefined ? { error } : { error, id })
    const targets = validateTargets(decoded.value, 'sse')
    if (!targets.ok) {
      failWith(400, targets.error)
      return
    }
    if (key === undefined || limits === undefined) {
      failWith(429, 'connection limit reached: 0 active connections')
      return
    }
    const token = {}
    if (!this.#limiter.tryAcquire(key, limits.maxConnections, token)) {
      failWith(429, `connection limit reached: ${limits.maxConnections} active connections`)
      return
    }
    const count = targets.value.addresses.length
    if (limits.maxAddresses !== -1 && count > limits.maxAddresses) {
      this.#limiter.release(key, token, 0)
      failWith(400, `too many addresses: ${count} > max ${limits.maxAddresses}`)
      return
    }
    if (req.socket.destroyed) {
      this.#limiter.release(key, token, 0)
      return
    }
    const session = new SseSession(req, res, {
      id: `sse-${this.sessions.length + 1}`,
      flavour,
      key,
      request,
      state: sseSubscription(decoded.value, targets.value, header(request, 'x-actions-version')),
      requestId: id,
      keepaliveMs: this.#keepaliveMs,
      sendBuffer: this.#sendBuffer,
      cork: this.#subscribed.any,
      onClose: (ended) => this.#ended(ended, token),
    })
    this.#register(session)
    this.#subscribed.notify(session)
  }

  #serveV3(res: ServerResponse, request: RecordedRequest, url: URL, endpoint: string): void {
    this.v3Calls[endpoint] = (this.v3Calls[endpoint] ?? 0) + 1
    const delay = this.#v3Delays[0]
    if (delay) {
      if (--delay.left <= 0) this.#v3Delays.shift()
      const timer = setTimeout(() => this.#answerV3(res, request, url, endpoint), delay.ms)
      res.once('close', () => clearTimeout(timer))
      return
    }
    this.#answerV3(res, request, url, endpoint)
  }

  #answerV3(res: ServerResponse, request: RecordedRequest, url: URL, endpoint: string): void {
    if (res.destroyed || this.#closing) return
    const fault = this.#faults.take('v3')
    if (fault) {
      sendFault(res, fault)
      return
    }
    if (request.method !== 'GET') {
      sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET' })
      return
    }
    const key = extractKey('toncenter', request.headers, url)
    if (key !== undefined && this.#keys.limits(key) === undefined) {
      sendJson(res, 401, { error: 'API key does not exist' })
      return
    }
    if (this.#v3Without.has(endpoint)) {
      sendJson(res, 404, { error: `unknown endpoint: ${endpoint}` })
      return
    }
    const answer = handleV3(endpoint, url.searchParams, this.ledger, this.#chain.directory, this.#chain)
    sendJson(res, answer.status, answer.body)
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: '',
      at: Date.now(),
    }
    this.requests.push(request)
    socket.on('error', noop)
    if (this.#closing) {
      socket.destroy()
      return
    }
    const url = new URL(request.url, 'http://localhost')
    const route = routeOf(url.pathname)
    if (route.kind !== 'ws') {
      writeUpgradeRefusal(socket, { status: 404, body: { error: 'not found' } })
      return
    }
    const fault = this.#faults.take('ws')
    if (fault) {
      writeUpgradeRefusal(socket, { status: fault.status, body: fault.body, headers: fault.headers })
      return
    }
    const key = extractKey(route.flavour, req.headers, url)
    const limits = key === undefined ? undefined : this.#keys.limits(key)
    if (key !== undefined && limits === undefined) {
      writeUpgradeRefusal(socket, { status: 401, body: { error: 'API key does not exist' } })
      return
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // The real server accepts the upgrade before checking the limit, then reports it and hangs up.
      if (key === undefined || limits === undefined) {
        this.#refuseAfterUpgrade(ws, 0)
        return
      }
      const token = {}
      if (!this.#limiter.tryAcquire(key, limits.maxConnections, token)) {
        this.#refuseAfterUpgrade(ws, limits.maxConnections)
        return
      }
      const session = new WsSession(ws, {
        id: `ws-${this.sessions.length + 1}`,
        flavour: route.flavour,
        key,
        request,
        socket,
        supportedActionTypes: [header(request, 'x-actions-version') || 'latest'],
        maxAddresses: limits.maxAddresses,
        sendBuffer: this.#sendBuffer,
        subscribed: this.#subscribed,
        onClose: (ended) => this.#ended(ended, token),
      })
      this.#register(session)
    })
  }

  #refuseAfterUpgrade(ws: WebSocket, limit: number): void {
    this.#strays.add(ws)
    ws.on('error', noop)
    ws.once('close', () => this.#strays.delete(ws))
    // No close frame: the client sees 1006, as with the real server.
    ws.send(goJsonStringify({ error: `connection limit reached: ${limit} active connections` }), () =>
      ws.terminate(),
    )
  }

  #register(session: SessionBase): void {
    this.sessions.push(session)
    this.#open.add(session)
    const waiter = this.#sessionWaiters.shift()
    if (waiter) {
      this.#sessionCursor++
      waiter.resolve(session)
    }
  }

  #ended(session: SessionBase, token: object): void {
    this.#open.delete(session)
    this.#limiter.release(session.key, token, lingerFor(session, this.#linger))
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer) clearInterval(this.#timer)
      this.#timer = undefined
      this.#limiter.close()
      for (const session of this.#open) session.drop()
      for (const ws of this.#strays) ws.terminate()
      for (const waiter of this.#sessionWaiters) waiter.reject(new Error('the simulator closed'))
      this.#sessionWaiters = []
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
      await new Promise<void>((resolve) => {
        this.#http.close(() => resolve())
        this.#http.closeAllConnections()
      })
      await Promise.all(this.sessions.map((session) => session.closed))
    })()
    return this.#closing
  }
}
