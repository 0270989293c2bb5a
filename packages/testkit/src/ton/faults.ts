import { STATUS_CODES } from 'node:http'

/** Which requests a fault applies to. `stream` = SSE or WebSocket. */
export type TonFaultTarget = 'sse' | 'ws' | 'v3' | 'stream' | 'any'

/** An HTTP failure to answer the next matching request with. */
export interface TonFault {
  status: number
  /** A string is sent as `text/plain`, anything else as JSON. @default `{"error": <status text>}` */
  body?: unknown
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number
  /** @default 'any' */
  on?: TonFaultTarget
  /** How many matching requests get it. @default 1 */
  times?: number
}

/** A fault ready to be written: status, body bytes and headers. */
export interface PreparedFault {
  status: number
  body: string
  headers: Record<string, string>
}

const matches = (target: TonFaultTarget, kind: 'sse' | 'ws' | 'v3') =>
  target === 'any' || target === kind || (target === 'stream' && kind !== 'v3')

/** The queue behind `failNext`: faults are taken in order by the first request they match. */
export class FaultQueue {
  readonly #queue: { fault: TonFault; left: number }[] = []

  push(fault: TonFault): void {
    this.#queue.push({ fault, left: fault.times ?? 1 })
  }

  /** Forgets every queued fault, or those queued for target `on`. */
  clear(on?: TonFaultTarget): void {
    if (on === undefined) this.#queue.length = 0
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      if ((this.#queue[i]?.fault.on ?? 'any') === on) this.#queue.splice(i, 1)
    }
  }

  take(kind: 'sse' | 'ws' | 'v3'): PreparedFault | undefined {
    const index = this.#queue.findIndex((entry) => matches(entry.fault.on ?? 'any', kind))
    const entry = this.#queue[index]
    if (!entry) return undefined
    entry.left--
    if (entry.left <= 0) this.#queue.splice(index, 1)
    const { fault } = entry
    const raw = fault.body ?? { error: STATUS_CODES[fault.status] ?? 'error' }
    const text = typeof raw === 'string'
    const headers: Record<string, string> = {
      'content-type': text ? 'text/plain; charset=utf-8' : 'application/json',
    }
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
    return { status: fault.status, body: text ? raw : JSON.stringify(raw), headers }
  }
}
