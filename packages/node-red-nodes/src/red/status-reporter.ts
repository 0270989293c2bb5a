import type { ConnectionStatus } from '../connection/connection-state.js'
import type { NodeStatus, RedNode } from './red-types.js'

/** How often a busy node may repaint its status (counts change with every event). */
export const STATUS_THROTTLE_MS = 1_000

/** Builds the status text: `key` is a message key under the node's `status` block. */
export type StatusText = (key: string, substitutions?: Record<string, string | number>) => string

/**
 * A node's status from the shared connection state plus what only this node knows (its counts):
 * yellow ring connecting, green dot subscribed with counts, red ring with a short reason, grey ring idle.
 */
export function connectionStatus(
  status: ConnectionStatus,
  text: StatusText,
  detail: string,
  idleKey = 'idle',
): NodeStatus {
  switch (status.phase) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: text('connecting') }
    case 'reconnecting':
      return {
        fill: 'yellow',
        shape: 'ring',
        text: text('reconnecting', { reason: status.reason ?? '' }),
      }
    case 'error':
      return { fill: 'red', shape: 'ring', text: status.reason ?? text('error') }
    case 'subscribed':
      return { fill: 'green', shape: 'dot', text: detail }
    default:
      return { fill: 'grey', shape: 'ring', text: text(idleKey) }
  }
}

/**
 * Sets a node's status, dropping repeats and throttling count-only changes so a busy stream does not
 * flood the editor; a change of colour or shape is shown at once. `clear()` on close.
 */
export class StatusReporter {
  private shown: NodeStatus | undefined
  private pending: NodeStatus | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastAt = 0
  private closed = false

  constructor(
    private readonly node: Pick<RedNode, 'status'>,
    private readonly throttleMs = STATUS_THROTTLE_MS,
  ) {}

  report(status: NodeStatus): void {
    if (this.closed) return
    const shown = this.shown
    if (shown && shown.fill === status.fill && shown.shape === status.shape && shown.text === status.text) {
      this.pending = undefined
      return
    }
    const sameLook = shown !== undefined && shown.fill === status.fill && shown.shape === status.shape
    const wait = this.lastAt + this.throttleMs - Date.now()
    if (!sameLook || wait <= 0) {
      this.show(status)
      return
    }
    this.pending = status
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        if (this.pending) this.show(this.pending)
      }, wait)
      this.timer.unref?.()
    }
  }

  /** Clears the status and stops reporting (the node is closing). */
  clear(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.pending = undefined
    this.node.status({})
  }

  private show(status: NodeStatus): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    this.pending = undefined
    this.shown = status
    this.lastAt = Date.now()
    this.node.status(status)
  }
}
