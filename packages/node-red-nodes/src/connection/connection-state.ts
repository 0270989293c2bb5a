/**
 * Where a config node's shared connection is, as every node using it shows it:
 * `idle` (nothing to watch, so no connection) → `connecting` → `subscribed` ⇄ `reconnecting`, or `error`
 * (a fatal problem: a wrong key, a refused subscription) until something changes.
 */
export type ConnectionPhase = 'idle' | 'connecting' | 'subscribed' | 'reconnecting' | 'error'

/** The shared state: its phase, and for `reconnecting`/`error` a short reason. */
export interface ConnectionStatus {
  readonly phase: ConnectionPhase
  readonly reason?: string
  /** When the phase was entered (epoch ms). */
  readonly since: number
}

/** A user's callback for state changes. */
export type ConnectionStatusListener = (status: ConnectionStatus) => void

/**
 * The one state machine of a config node's connection. Users attach by node id — so a node that
 * attaches twice (a redeploy that reuses the id) still has one listener — and every change fans out to
 * all of them, which keeps every node's status consistent with the others and with the socket.
 */
export class ConnectionStateMachine {
  private current: ConnectionStatus = { phase: 'idle', since: Date.now() }
  private readonly listeners = new Map<string, ConnectionStatusListener>()

  get status(): ConnectionStatus {
    return this.current
  }

  /** Attached users. */
  get size(): number {
    return this.listeners.size
  }

  /** Moves to `phase`; repeats of the same phase and reason are not fanned out again. */
  set(phase: ConnectionPhase, reason?: string): void {
    if (this.current.phase === phase && this.current.reason === reason) return
    this.current = { phase, since: Date.now(), ...(reason !== undefined ? { reason } : {}) }
    for (const listener of [...this.listeners.values()]) listener(this.current)
  }

  /** Attaches a user (replacing its previous listener) and tells it the current state at once. */
  attach(userId: string, listener: ConnectionStatusListener): void {
    this.listeners.set(userId, listener)
    listener(this.current)
  }

  detach(userId: string): void {
    this.listeners.delete(userId)
  }
}

/** A short, single-line reason for a status text (full messages go to the debug sidebar). */
export function shortReason(error: unknown, max = 48): string {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : undefined
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error)
  const firstLine = message.split('\n', 1)[0] ?? ''
  const text = code && !firstLine.startsWith(code) ? `${code}: ${firstLine}` : firstLine
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
