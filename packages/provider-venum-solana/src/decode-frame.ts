import { ChainstreamError } from '@chainstream/core'
import type { Decoded, SseMessage } from '@chainstream/core/provider'
import type { VenumFrame } from './venum-frame.js'

type Json = Record<string, unknown>
type TxFrame = Extract<VenumFrame, { kind: 'tx' }>
type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const parse = (data: string): Json | undefined => {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined
  } catch {
    return undefined
  }
}

const malformed = (message: SseMessage, why: string): Decoded<VenumFrame> => ({
  kind: 'diagnostic',
  diagnostic: {
    code: 'malformed-event',
    message: `Venum sent a '${message.event}' event that ${why}; ignored`,
    data: message.data.slice(0, 500),
  },
})

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

/**
 * Decodes one `/v1/stream/tx` event: `ready` acknowledges the subscription, `tx` and per-signature
 * `error` become frames, `heartbeat` only feeds the watchdog. Lenient: one `JSON.parse`, the fields
 * chainstream reads are checked, the rest passes through; anything unexpected is a diagnostic, never
 * a throw.
 */
export function decodeVenumEvent(message: SseMessage): Decoded<VenumFrame> {
  switch (message.event) {
    case 'heartbeat':
      return { kind: 'heartbeat' }
    case 'ready': {
      const data = parse(message.data)
      return { kind: 'subscribed', data: data ?? message.data }
    }
    case 'tx': {
      const data = parse(message.data)
      if (!data) return malformed(message, 'is not a JSON object')
      const signature = text(data.signature)
      const status = text(data.status)
      if (signature === undefined || status === undefined)
        return malformed(message, 'lacks a signature or status')
      const slot = num(data.slot)
      const err = data.err
      const ts = num(data.ts)
      // Nearly every event has a slot and a time and no error: one literal with every field (a field added
      // later goes to a separate backing store, an allocation more per event).
      if (slot !== undefined && ts !== undefined && (err === undefined || err === null)) {
        return { kind: 'event', event: { kind: 'tx', signature, status, data, slot, ts } }
      }
      // Field by field, not spread together: every stream event comes through here.
      const event: Mutable<TxFrame> = { kind: 'tx', signature, status, data }
      if (slot !== undefined) event.slot = slot
      if (err !== undefined && err !== null) event.err = err
      if (ts !== undefined) event.ts = ts
      return { kind: 'event', event }
    }
    case 'error': {
      const data = parse(message.data)
      const signature = text(data?.signature)
      const error = text(data?.error)
      const reason = text(data?.reason)
      if (data && signature !== undefined) {
        return {
          kind: 'event',
          event: {
            kind: 'signature-error',
            signature,
            ...(error !== undefined ? { error } : {}),
            ...(reason !== undefined ? { reason } : {}),
            data,
          },
        }
      }
      // Not tied to a signature: the stream as a whole is in trouble; reconnecting is the way out.
      const detail = [error, reason].filter(Boolean).join(': ') || message.data.slice(0, 200)
      return {
        kind: 'error',
        error: new ChainstreamError('ServerError', `Venum reported a stream error: ${detail}`, {
          body: data ?? message.data,
          isRetryable: true,
        }),
      }
    }
    default:
      return {
        kind: 'diagnostic',
        diagnostic: {
          code: 'unknown-event-type',
          message: `Venum sent an unknown '${message.event}' event; ignored`,
          data: message.data.slice(0, 500),
        },
      }
  }
}
