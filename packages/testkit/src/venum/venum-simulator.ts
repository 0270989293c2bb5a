import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { answerCors } from '../cors.js'
import { listen } from '../listen.js'
import { type RecordedRequest, recordRequest } from '../request-record.js'
import { SseWriter } from './sse-writer.js'
import { type LedgerEntry, VenumLedger, type VenumLifecycleChooser } from './venum-ledger.js'
import { DEFAULT_VENUM_TIMINGS } from './venum-lifecycle.js'
import { answerRest, type RestRouteState } from './venum-rest-route.js'
import { checkStreamRequest, type HttpAnswer, type StreamRouteState } from './venum-stream-route.js'
import { StreamSession } from './venum-stream-session.js'
import type {
  VenumChainStatus,
  VenumLifecycle,
  VenumRestFault,
  VenumRestRequestRecord,
  VenumStreamRequestRecord,
  VenumTimings,
} from './venum-types.js'

/** The key the simulator accepts unless told otherwise. */
export const VENUM_TEST_API_KEY = 'venum-test-key'

/** Options of {@link createVenumSimulator}. */
export interface VenumSimulatorOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** Accepted API keys. @default [VENUM_TEST_API_KEY] */
  apiKeys?: readonly string[]
  /** Seed of the scenario engine: the same seed gives every signature the same story. @default 1 */
  seed?: number
  /**
   * The lifecycle of a signature the simulator was not told about: weights, or a function of the
   * signature and a seeded random source. @default { success: 1 }
   */
  lifecycles?: VenumLifecycleChooser
  /** Multiplies every time in {@link VenumTimings}. @default 1 */
  timeScale?: number
  /** Overrides of the clock. */
  timings?: Partial<VenumTimings>
  /** `heartbeat` event interval on every stream; `0` sends none. @default 15_000 */
  heartbeatIntervalMs?: number
  /** Open SSE streams one key may hold; the next gets 429. @default 100 */
  maxStreamsPerKey?: number
  /** `Retry-After` of the connection-limit 429, in seconds. @default 1 */
  retryAfterSeconds?: number
  /** Whether a new watcher reports a commitment tier the transaction already reached. @default true */
  catchUp?: boolean
  /** Whether commitment-tier polling is available (off: streams beyond `landed` get 503). @default true */
  tierPolling?: boolean
  /** REST rate limit per key (fixed window). @default { requests: 100_000, windowMs: 1_000 } */
  restLimit?: { requests: number; windowMs: number }
  /** The `err` of failed transactions. @default 'InstructionError: [0, Custom(6001)]' */
  failureError?: string
  /** Keep every request in `requests`/`streamRequests`/`restRequests` (benchmarks turn it off). @default true */
  record?: boolean
}

/** A running Venum simulator. */
export interface VenumSimulator {
  /** The base URL (`http://127.0.0.1:PORT`), to pass as the provider's `baseUrl`. */
  readonly url: string
  /** The default accepted key. */
  readonly apiKey: string
  /** Every HTTP request, in arrival order. */
  readonly requests: readonly RecordedRequest[]
  /** Every `/v1/stream/tx` request with what it asked for and the status it got. */
  readonly streamRequests: readonly VenumStreamRequestRecord[]
  /** Every `/v1/tx/:signature` request with the status it got. */
  readonly restRequests: readonly VenumRestRequestRecord[]
  /** SSE streams open right now. */
  readonly openStreams: number
  /** SSE streams accepted so far. */
  readonly streamsOpened: number
  /** `/v1/tx/:signature` requests answered so far (counted whether or not `record` keeps them). */
  readonly restCalls: number
  /** Signatures the simulated chain knows. */
  readonly signatureCount: number
  /** Registers a signature with a lifecycle (`'manual'` by default: only {@link advance} moves it). */
  addSignature(signature: string, lifecycle?: VenumLifecycle): void
  /**
   * Moves a signature: a tier or `failed` changes its on-chain status (never backwards; `err` for a
   * failure); `timeout`/`verify-timeout` ends the open watchers of it with that status; `error` sends
   * those watchers a per-signature `error` event. `quiet` changes the on-chain status without any
   * watcher noticing (only REST lookups see it): Venum's watchers lagging behind the chain.
   */
  advance(
    signature: string,
    status: VenumChainStatus | 'timeout' | 'verify-timeout' | 'error',
    details?: { err?: string; reason?: string; quiet?: boolean },
  ): void
  /** The on-chain status of a signature (`undefined` when unseen or not landed). */
  statusOf(signature: string): VenumChainStatus | undefined
  /** The lifecycle the scenario engine gave a signature. */
  lifecycleOf(signature: string): VenumLifecycle | undefined
  /** Switches commitment-tier polling: off makes new streams beyond `landed` answer 503. */
  setTierPolling(available: boolean): void
  /**
   * Half-opens every open stream: from now on they write nothing (no events, no heartbeats, not even
   * their end) until the client gives up on them. New streams are not affected.
   */
  stallStreams(): void
  /** Destroys every open stream's socket abruptly. */
  dropStreams(): void
  /** The next `streams` streams (default 1) are dropped right after their `count`-th `tx`/`error` event. */
  dropAfter(count: number, streams?: number): void
  /** Scripts the next REST answers (HTTP statuses such as 429/502/503/504, or `'lookup-error'`). */
  failNextRest(...faults: VenumRestFault[]): void
  /** Stops the clock, drops every socket and stops listening. */
  close(): Promise<void>
}

/**
 * Starts a local simulator of Venum's Solana transaction-status API: `GET /v1/stream/tx` (SSE) and
 * `GET /v1/tx/:signature`, faithful to the wire reference — auth by `x-api-key` or `apiKey`, the 400, 401,
 * 429 and 503 refusals, `ready`/`tx`/`error`/`heartbeat` events, streams that close themselves once
 * every signature ended — with a seeded scenario engine of signature lifecycles on a scaled-down clock,
 * manual control, fault injection and request recording.
 *
 * @example
 * ```ts
 * const sim = await createVenumSimulator({ lifecycles: { success: 8, failure: 1, 'verify-timeout': 1 } })
 * const venum = createVenum({ apiKey: sim.apiKey, baseUrl: sim.url })
 * // …
 * await sim.close()
 * ```
 */
export async function createVenumSimulator(options: VenumSimulatorOptions = {}): Promise<VenumSimulator> {
  const apiKeys = new Set(options.apiKeys ?? [VENUM_TEST_API_KEY])
  const timings: VenumTimings = { ...DEFAULT_VENUM_TIMINGS, ...options.timings }
  const timeScale = options.timeScale ?? 1
  const record = options.record ?? true
  const ledger = new VenumLedger({
    seed: options.seed ?? 1,
    lifecycles: options.lifecycles ?? { success: 1 },
    timings,
    timeScale,
    failureError: options.failureError ?? 'InstructionError: [0, Custom(6001)]',
  })
  const requests: RecordedRequest[] = []
  const streamRequests: VenumStreamRequestRecord[] = []
  const restRequests: VenumRestRequestRecord[] = []
  const sessions = new Set<StreamSession>()
  // Sessions per signature, so a status change reaches only the streams that watch it.
  const watchers = new Map<string, Set<StreamSession>>()
  const sockets = new Set<Socket>()
  const dropPlan: number[] = []
  let streamsOpened = 0
  let restCalls = 0

  const streamState: StreamRouteState = {
    apiKeys,
    maxStreamsPerKey: options.maxStreamsPerKey ?? 100,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    tierPolling: options.tierPolling ?? true,
    openPerKey: new Map(),
  }
  const restState: RestRouteState = {
    apiKeys,
    ledger,
    faults: [],
    limit: options.restLimit ?? { requests: 100_000, windowMs: 1_000 },
    windows: new Map(),
  }

  ledger.onChange((entry, previous) => {
    const set = watchers.get(entry.signature)
    if (set) for (const session of [...set]) session.onStatus(entry, previous)
  })

  const forEachWatcher = (signature: string, run: (session: StreamSession, entry: LedgerEntry) => void) => {
    const entry = ledger.get(signature)
    const set = watchers.get(signature)
    if (entry && set) for (const session of [...set]) run(session, entry)
  }

  const serveStream = (req: IncomingMessage, res: ServerResponse, request: RecordedRequest, url: URL) => {
    const accepted = checkStreamRequest(request, url, streamState, (r) => {
      if (record) streamRequests.push(r)
    })
    if (accepted.kind === 'answer') return writeAnswer(res, accepted)
    if (req.socket.destroyed) return
    const conn = new SseWriter(res)
    const { key } = accepted
    streamState.openPerKey.set(key, (streamState.openPerKey.get(key) ?? 0) + 1)
    streamsOpened++
    const session = new StreamSession(conn, accepted.signatures, accepted.events, {
      timings,
      timeScale,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
      catchUp: options.catchUp ?? true,
      dropAfterEvents: dropPlan.shift(),
    })
    sessions.add(session)
    const entries = accepted.signatures.map((signature) => ledger.ensure(signature))
    for (const signature of accepted.signatures) {
      const set = watchers.get(signature)
      if (set) set.add(session)
      else watchers.set(signature, new Set([session]))
    }
    // The response's end, not the socket's: a kept-alive socket outlives the stream it carried.
    const ended = new Promise<void>((resolve) => {
      if (res.writableFinished || res.destroyed) resolve()
      else res.once('close', () => resolve())
    })
    void ended.then(() => {
      session.dispose()
      sessions.delete(session)
      streamState.openPerKey.set(key, Math.max(0, (streamState.openPerKey.get(key) ?? 1) - 1))
      for (const signature of accepted.signatures) {
        const set = watchers.get(signature)
        set?.delete(session)
        if (set?.size === 0) watchers.delete(signature)
      }
    })
    session.start(entries)
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A preflight is the browser asking, not a request of the API: answered, and not recorded.
    if (answerCors(req, res)) return
    const request = await recordRequest(req)
    if (record) requests.push(request)
    res.on('error', () => {
      // The client went away mid-answer; nothing to do.
    })
    const url = new URL(request.url, 'http://simulator.invalid')
    if (request.method !== 'GET') {
      return writeAnswer(res, {
        kind: 'answer',
        status: 405,
        body: { error: 'method not allowed' },
        headers: { allow: 'GET' },
      })
    }
    if (url.pathname === '/v1/stream/tx') return serveStream(req, res, request, url)
    const rest = /^\/v1\/tx\/([^/]+)$/.exec(url.pathname)
    if (rest?.[1] !== undefined) {
      const answer = answerRest(request, url, decodeURIComponent(rest[1]), restState, (r) => {
        restCalls++
        if (record) restRequests.push(r)
      })
      return writeAnswer(res, answer)
    }
    return writeAnswer(res, { kind: 'answer', status: 404, body: { error: 'not found' } })
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // The client went away while the request was read or answered; nothing left to do.
      req.socket.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const url = await listen(server, options.host ?? '127.0.0.1')

  return {
    url,
    apiKey: [...apiKeys][0] ?? VENUM_TEST_API_KEY,
    requests,
    streamRequests,
    restRequests,
    get openStreams() {
      return sessions.size
    },
    get streamsOpened() {
      return streamsOpened
    },
    get restCalls() {
      return restCalls
    },
    get signatureCount() {
      return ledger.size
    },
    addSignature: (signature, lifecycle = 'manual') => {
      ledger.add(signature, lifecycle)
    },
    advance: (signature, status, details = {}) => {
      if (status === 'timeout' || status === 'verify-timeout') {
        forEachWatcher(signature, (session, entry) => session.timeout(entry, status))
      } else if (status === 'error') {
        forEachWatcher(signature, (session) =>
          session.signatureError(signature, details.reason ?? 'watcher failed for this signature'),
        )
      } else {
        ledger.set(ledger.ensure(signature, 'manual'), status, details.err, details.quiet !== true)
      }
    },
    statusOf: (signature) => ledger.get(signature)?.status,
    lifecycleOf: (signature) => ledger.get(signature)?.lifecycle,
    setTierPolling: (available) => {
      streamState.tierPolling = available
    },
    stallStreams: () => {
      for (const session of sessions) session.stall()
    },
    dropStreams: () => {
      for (const session of sessions) session.drop()
    },
    dropAfter: (count, streams = 1) => {
      for (let i = 0; i < streams; i++) dropPlan.push(count)
    },
    failNextRest: (...faults) => {
      restState.faults.push(...faults)
    },
    close: () =>
      new Promise<void>((resolve) => {
        ledger.stop()
        for (const session of sessions) session.dispose()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * Writes a plain JSON answer straight to the response. Plain answers skip the scripted SSE connection:
 * REST lookups reuse kept-alive sockets many times, and nothing here needs per-socket bookkeeping.
 */
function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.destroyed || res.headersSent) return
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...answer.headers,
  })
  res.end(payload)
}
