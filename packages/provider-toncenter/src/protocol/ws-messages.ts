import type { TonSubscription } from './subscription.js'
import { toWireSubscription } from './subscription.js'

/**
 * Client → server envelopes of the WebSocket protocol. Every message carries `operation` and a **string**
 * `id` (the server refuses a numeric one with `invalid request envelope`); the answer echoes the id.
 */

/** `{"operation":"subscribe","id":…}` plus the whole subscription, which replaces the previous one. */
export function subscribeMessage(id: string, subscription: TonSubscription): string {
  return JSON.stringify({ operation: 'subscribe', id, ...toWireSubscription(subscription) })
}

/** `{"operation":"unsubscribe","id":…}` removing addresses (raw) and/or trace hashes. */
export function unsubscribeMessage(
  id: string,
  remove: { addresses?: readonly string[]; traceExternalHashNorms?: readonly string[] },
): string {
  const message: Record<string, unknown> = { operation: 'unsubscribe', id }
  if (remove.addresses && remove.addresses.length > 0) message.addresses = remove.addresses
  if (remove.traceExternalHashNorms && remove.traceExternalHashNorms.length > 0) {
    message.trace_external_hash_norms = remove.traceExternalHashNorms
  }
  return JSON.stringify(message)
}

/** `{"operation":"ping","id":…}`; the server answers `{"id":…,"status":"pong"}`. */
export function pingMessage(id: string): string {
  return JSON.stringify({ operation: 'ping', id })
}

/**
 * Makes request ids: strings, unique per connection and readable in logs (`subscribe-1`, `ping-2`, …).
 */
export function createRequestIds(): (operation: 'subscribe' | 'unsubscribe' | 'ping') => string {
  let next = 0
  return (operation) => `${operation}-${++next}`
}

/** Whether a message is a pong (`status: "pong"`) — cheap enough to run on every message. */
export function isPongText(text: string): boolean {
  // A pong is tiny; a substring test spares a JSON.parse of every large notification while a ping is out.
  return text.length < 200 && text.includes('"pong"') && /"status"\s*:\s*"pong"/.test(text)
}

/**
 * Whether `text` is the pong answering `ping` (the message {@link pingMessage} made): a pong with another
 * id answers nothing we are waiting for, so it is no sign that this socket is alive.
 */
export function isPongFor(text: string, ping: string): boolean {
  if (!isPongText(text)) return false
  const id = (JSON.parse(ping) as { id?: unknown }).id
  if (typeof id !== 'string') return false
  try {
    return (JSON.parse(text) as { id?: unknown }).id === id
  } catch {
    return false
  }
}
