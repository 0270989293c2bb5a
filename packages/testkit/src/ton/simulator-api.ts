import type { RecordedRequest } from '../request-record.js'
import type { TonKeyLimits } from './auth.js'
import type { TonFault, TonFaultTarget } from './faults.js'
import type { TonLedger } from './ledger.js'
import type { TonScenarioOptions } from './scenario.js'
import type { TonSendBufferOptions } from './send-buffer.js'
import type { TonSession } from './session.js'
import type { TonSubscribedListener } from './subscribed-listeners.js'
import type { TonTraceHandle } from './trace-run.js'
import type {
  TonAccountState,
  TonAccountStateNotification,
  TonFinality,
  TonJettonsNotification,
  TonStage,
} from './wire-types.js'

/** Options of {@link createTonSimulator}. */
export interface TonSimulatorOptions {
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string
  /**
   * Accepted API keys and their limits. When omitted, any non-empty key is accepted with 2 connections
   * and 1000 addresses; when given, any other key gets 401 `API key does not exist`.
   */
  keys?: Record<string, TonKeyLimits>
  /** Period of the SSE `: keepalive` comment; `0` sends none (no timer). @default 15000 */
  keepaliveMs?: number
  /**
   * How long an SSE session keeps counting against its key's connection limit after its client left (the
   * server notices only at its next write; a gateway may hold it up to a minute), and how long a session
   * dropped by `dropConnections()` / `session.drop()` does. `0` frees at once. @default 60000
   */
  lingerMs?: number
  /**
   * How long a WebSocket that ended without a close frame (1006) keeps its slot. The real server frees it at
   * once; set it to model a gateway that holds it. A clean close always frees at once. @default 0
   */
  wsLingerMs?: number
  /**
   * The server's send buffers, in frames: per SSE connection (16) and per client in the manager (64).
   * Notifications a slow reader cannot take are dropped silently, as on the server, and listed in
   * `session.dropped`. `Infinity` = never drop. @default { perConnection: 16, perClient: 64 }
   */
  sendBuffer?: TonSendBufferOptions
  /** Seed of the PRNG behind manually emitted traces. @default 1 */
  seed?: number
  /** Wallets the scenario uses (any address form). @default 4 generated wallets */
  addresses?: readonly string[]
  /** Virtual chain clock start, seconds. Fixed by default so a seed reproduces the same ledger. @default 1785480000 */
  startUtime?: number
  /** First logical time. @default '86711284000000' */
  startLt?: bigint | string
  /**
   * API v3 endpoints this deployment does not have (`'blocks'`, `'masterchainInfo'`, …): answered `404`, as
   * an indexer of another version, or another service's v3-compatible API, would. @default none
   */
  apiV3Without?: readonly string[]
}

/** Live streaming sessions, for assertions. */
export interface TonConnectionStats {
  /** Open sessions. */
  readonly active: number
  readonly sse: number
  readonly ws: number
  /** Ended sessions still counted against their key. */
  readonly lingering: number
  readonly byKey: Readonly<Record<string, { active: number; lingering: number }>>
}

/** What to emit with {@link TonSimulator.emitTrace}. */
export interface TonTraceInit {
  /** `[0]` signs the external message; `[1..]` are the counterparties of each action in turn. Any form. */
  addresses: readonly string[]
  /** @default ['pending', 'confirmed', 'finalized'] */
  stages?: readonly TonStage[]
  /** One sub-chain and one action per entry. @default ['ton_transfer'] */
  actionTypes?: readonly string[]
  /** The first action's first hop fails and bounces. @default false */
  failed?: boolean
  /** Standard base64. @default a random hash */
  traceExternalHashNorm?: string
  /** Jetton master for `jetton_*` actions. @default USD₮ */
  jetton?: string
  /** Nanotons or jetton units, as a decimal string. @default random */
  amount?: string
}

/** What to emit with {@link TonSimulator.emitAccountState}. */
export interface TonAccountStateInit {
  account: string
  /** The real server only sends confirmed and finalized. */
  finality: TonFinality
  /** Fields to override in the generated state. */
  state?: Partial<TonAccountState>
}

/** What to emit with {@link TonSimulator.emitJettonChange}. */
export interface TonJettonChangeInit {
  owner: string
  /** Jetton master. @default USD₮ */
  jetton?: string
  /** New balance (jetton units). @default the current one */
  balance?: string
  finality: TonFinality
}

/** Which sessions a fault applies to. */
export type TonSessionTarget = TonSession | 'all'

/** A local TON Streaming API v2 + API v3 server. See the README next to this file. */
export interface TonSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly toncenter: {
    readonly baseUrl: string
    readonly sseUrl: string
    readonly wsUrl: string
    readonly v3BaseUrl: string
  }
  readonly tonapi: { readonly baseUrl: string; readonly sseUrl: string; readonly wsUrl: string }
  /** The scenario wallets, raw. */
  readonly addresses: readonly string[]
  readonly ledger: TonLedger
  /** Every accepted streaming session, in order. */
  readonly sessions: readonly TonSession[]
  readonly connections: TonConnectionStats
  /** Every HTTP request and WebSocket upgrade, in order. */
  readonly requests: readonly RecordedRequest[]
  /** API v3 calls per endpoint (`transactions`, `actions`, `traces`, `pendingTraces`, …). */
  readonly v3Calls: Readonly<Record<string, number>>
  /** The next session not yet returned by an earlier call (one already accepted counts). */
  nextSession(timeoutMs?: number): Promise<TonSession>
  /** Plans a trace; nothing is sent until `advance()`. */
  emitTrace(init: TonTraceInit): TonTraceHandle
  /** Emits an `account_state_change`; resolves with it once it is written out. */
  emitAccountState(init: TonAccountStateInit): Promise<TonAccountStateNotification>
  /** Emits a `jettons_change`; resolves with it once it is written out. */
  emitJettonChange(init: TonJettonChangeInit): Promise<TonJettonsNotification>
  /** Sends any JSON object through the per-connection filter (not reflected in API v3). */
  broadcast(notification: Record<string, unknown>): Promise<void>
  /** Starts the background scenario (a new one each call). */
  start(options?: TonScenarioOptions): void
  /**
   * Runs scenario ticks now, without a timer (creating the scenario with `options` if none exists). With
   * `only`, the new traces of these ticks start from and go to those wallets alone (any form), while the
   * traces in flight go on: the other wallets fall quiet.
   */
  step(ticks?: number, options?: TonScenarioOptions, only?: readonly string[]): Promise<void>
  /** Stops the scenario timer; with `finish`, emits the remaining stages of traces in flight. */
  stop(options?: { finish?: boolean }): Promise<void>
  /** Writes a keepalive comment to every SSE session now. */
  sendKeepalive(): void
  /** Drops sessions abruptly; returns how many. */
  dropConnections(filter?: { key?: string; transport?: 'sse' | 'ws'; linger?: boolean }): number
  /** Stops writing to (and reading from) sessions, keeping their sockets open. */
  silence(target?: TonSessionTarget): void
  /** WebSocket sessions stop answering `ping` operations and protocol pings. */
  stopAnsweringPings(target?: TonSessionTarget): void
  /** WebSocket sessions answer pings again. */
  resumeAnsweringPings(target?: TonSessionTarget): void
  /** Answers the next matching request(s) with an HTTP error. */
  failNext(fault: TonFault): void
  /**
   * Forgets the faults `failNext` queued and no request took yet — all of them, or those queued for
   * target `on` (as given to `failNext`; none given counts as `'any'`): the next requests are answered.
   */
  clearFaults(on?: TonFaultTarget): void
  /**
   * A slow API v3: the next `times` requests (default 1) are answered `ms` later, as they stand then. A
   * request whose client gave up meanwhile gets no answer.
   */
  delayApiV3(delay: { ms: number; times?: number }): void
  /** Forgets lingering sessions, so the next connection is accepted. */
  clearLinger(): void
  /**
   * Calls `listener` synchronously right after each subscription acknowledgement is written (SSE `connected`,
   * WebSocket `subscribed`), with the socket corked until the next macrotask: what it emits synchronously
   * (`trace.advance()`, `sim.broadcast()`, …) reaches the client in the same write as the ack. Returns the
   * removal.
   */
  onSubscribed(listener: TonSubscribedListener): () => void
  /** Closes every socket and timer and stops listening. */
  close(): Promise<void>
}
