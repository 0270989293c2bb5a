import type { RecordedRequest } from '../request-record.js'
import { goJsonStringify } from './go-json.js'
import type { TonFlavour } from './routes.js'
import { type SubscriptionState, type TonSubscriptionView, viewSubscription } from './subscription.js'

/** One accepted streaming connection, as tests see it. */
export interface TonSession {
  /** `sse-1`, `ws-2`, … in acceptance order. */
  readonly id: string
  readonly transport: 'sse' | 'ws'
  readonly flavour: TonFlavour
  /** The API key it authenticated with. */
  readonly key: string
  /** The HTTP request (the SSE POST with its body, or the WebSocket upgrade). */
  readonly request: RecordedRequest
  /** Its current subscription (a WebSocket starts with an empty one). */
  readonly subscription: TonSubscriptionView
  /** Traces this connection would be told about if they were invalidated now. */
  readonly invalidationCandidates: readonly string[]
  /** Every JSON object written to it (acknowledgements, responses, notifications), in order. */
  readonly sent: readonly unknown[]
  /** WebSocket only: every text received. */
  readonly received: readonly string[]
  readonly silenced: boolean
  /** WebSocket only: whether `ping` operations and protocol pings are answered. */
  readonly answersPings: boolean
  readonly isClosed: boolean
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>
  /** Drops it abruptly (counts as a drop for the linger). */
  drop(): void
}

/** What the simulator needs from either transport. */
export abstract class SessionBase implements TonSession {
  readonly id: string
  readonly flavour: TonFlavour
  readonly key: string
  readonly request: RecordedRequest
  abstract readonly transport: 'sse' | 'ws'
  state: SubscriptionState
  readonly remembered = new Set<string>()
  readonly sent: unknown[] = []
  readonly received: string[] = []
  silenced = false
  answersPings = true
  /** Set when the simulator drops the session, to decide about the linger. */
  droppedByServer: { linger: boolean } | undefined
  readonly closed: Promise<void>
  #isClosed = false
  #resolveClosed!: () => void

  constructor(
    id: string,
    flavour: TonFlavour,
    key: string,
    request: RecordedRequest,
    state: SubscriptionState,
  ) {
    this.id = id
    this.flavour = flavour
    this.key = key
    this.request = request
    this.state = state
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  get subscription(): TonSubscriptionView {
    return viewSubscription(this.state)
  }

  get invalidationCandidates(): readonly string[] {
    return [...this.remembered]
  }

  get isClosed(): boolean {
    return this.#isClosed
  }

  /** Sends a notification (the SSE `event` frame, or a WebSocket text). */
  deliver(message: Record<string, unknown>): void {
    if (this.silenced || this.#isClosed) return
    this.sent.push(message)
    this.write(goJsonStringify(message), 'event')
  }

  /** Marks the session closed (once). */
  protected markClosed(): void {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#resolveClosed()
  }

  /** Writes one serialised message. */
  protected abstract write(json: string, kind: 'event' | 'reply'): void
  abstract drop(): void
  /**
   * Stops writing and answering; the socket stays open. It is not paused either: a client that gives up and
   * closes it still ends the session (which then lingers like any drop).
   */
  silence(): void {
    this.silenced = true
  }
}
