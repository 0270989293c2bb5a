import { TON_EVENT_TYPES, type TonEventType } from './event-types.js'
import { checkNotification, checkResponse } from './notification-checks.js'
import type { TonNotification } from './notifications.js'

/**
 * What one inbound frame (an SSE `data:` payload or a WebSocket text message) is. Decoding never throws:
 * anything unexpected becomes `unknown-type` or `invalid`, for the caller to report as a diagnostic.
 */
export type TonFrame =
  /** A notification of one of the six documented types, envelope validated. */
  | { readonly kind: 'notification'; readonly notification: TonNotification }
  /**
   * An answer: `{id?, status}` (`subscribed`, `unsubscribed`, `pong`) or `{id?, error}`. The SSE
   * `connected` frame and the WebSocket connection-limit error (which has no id) are responses too.
   */
  | { readonly kind: 'response'; readonly id?: string; readonly status?: string; readonly error?: string }
  /** A notification with a `type` this client does not know (a newer server): pass on as a diagnostic. */
  | { readonly kind: 'unknown-type'; readonly type: string; readonly value: Record<string, unknown> }
  /** Not JSON, not an object, or a known type whose envelope is malformed. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly value?: unknown }

const KNOWN_TYPES: ReadonlySet<string> = new Set(TON_EVENT_TYPES)

/**
 * Decodes one frame of TON Streaming v2 with a single `JSON.parse`. A message with `error` is a response
 * (an error must never be mistaken for data); otherwise one with `type` is a notification and one with
 * `status` a response.
 *
 * @example
 * ```ts
 * decodeTonFrame('{"id":"1","status":"subscribed"}') // { kind: 'response', id: '1', status: 'subscribed' }
 * ```
 */
export function decodeTonFrame(text: string): TonFrame {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'invalid', reason: `not JSON: ${preview(text)}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: `not a JSON object: ${preview(text)}`, value }
  }
  const object = value as Record<string, unknown>
  if ('error' in object || (!('type' in object) && 'status' in object)) return decodeResponse(object, text)
  const type = object.type
  if (typeof type !== 'string') return { kind: 'invalid', reason: `no "type" field: ${preview(text)}`, value }
  if (!KNOWN_TYPES.has(type)) return { kind: 'unknown-type', type, value: object }
  const issue = checkNotification(type as TonEventType, object)
  if (issue) return { kind: 'invalid', reason: `malformed ${type} notification: ${issue}`, value }
  // The object itself: fields are passed through exactly as they arrived.
  return { kind: 'notification', notification: object as unknown as TonNotification }
}

function decodeResponse(object: Record<string, unknown>, text: string): TonFrame {
  if (checkResponse(object)) {
    return {
      kind: 'invalid',
      reason: `malformed response (id, status and error must be strings): ${preview(text)}`,
    }
  }
  const { id, status, error } = object as { id?: string; status?: string; error?: string }
  return {
    kind: 'response',
    ...(id !== undefined ? { id } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(error !== undefined ? { error } : {}),
  }
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text
}
