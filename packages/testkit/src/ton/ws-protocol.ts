import { decodeGoJson } from './go-json.js'
import {
  convertAddresses,
  convertTraces,
  replaceSubscription,
  type SubscriptionState,
  validateTargets,
  WS_ENVELOPE,
  WS_SUBSCRIBE,
  WS_UNSUBSCRIBE,
} from './subscription.js'

/** The answer to one client message: `{id?, status}` or `{id?, error}` (id first, as the server writes it). */
export interface WsReply {
  operation: string
  response: Record<string, unknown>
}

const withId = (id: string | undefined, body: Record<string, unknown>) =>
  id === undefined ? body : { id, ...body }

/**
 * Handles one WebSocket message against a connection's subscription, with the real server's rules:
 * `subscribe` replaces (with its quirks), `unsubscribe` removes addresses/traces, `ping` answers `pong`.
 * `maxAddresses` ≤ 0 means unlimited, as on the server.
 */
export function handleWsMessage(text: string, state: SubscriptionState, maxAddresses: number): WsReply {
  const envelope = decodeGoJson(text, WS_ENVELOPE)
  if (!envelope.ok) {
    return { operation: '', response: { error: `invalid request envelope: ${envelope.error}` } }
  }
  const id = envelope.value.id as string | undefined
  const operation = (envelope.value.operation as string | undefined) ?? ''
  const fail = (error: string): WsReply => ({ operation, response: withId(id, { error }) })
  switch (operation) {
    case 'ping':
      return { operation, response: withId(id, { status: 'pong' }) }
    case 'unsubscribe': {
      const decoded = decodeGoJson(text, WS_UNSUBSCRIBE)
      if (!decoded.ok) return fail(`invalid unsubscribe request: ${decoded.error}`)
      const addresses = (decoded.value.addresses as string[] | undefined) ?? []
      const traces = (decoded.value.trace_external_hash_norms as string[] | undefined) ?? []
      if (addresses.length === 0 && traces.length === 0) {
        return fail('addresses or trace_external_hash_norms are required')
      }
      const converted = convertAddresses(addresses)
      if (!converted.ok) return fail(converted.error)
      const trimmed = convertTraces(traces)
      if (!trimmed.ok) return fail(trimmed.error)
      for (const address of converted.value) state.addresses.delete(address)
      for (const trace of trimmed.value) state.traces.delete(trace)
      return { operation, response: withId(id, { status: 'unsubscribed' }) }
    }
    case 'subscribe': {
      const decoded = decodeGoJson(text, WS_SUBSCRIBE)
      if (!decoded.ok) return fail(`invalid subscribe request: ${decoded.error}`)
      const targets = validateTargets(decoded.value, 'ws')
      if (!targets.ok) return fail(targets.error)
      // A subscribe replaces, so the server counts the current addresses as 0.
      const count = targets.value.addresses.length
      if (maxAddresses > 0 && count > maxAddresses) {
        return fail(`address limit exceeded: current 0 + new ${count} > max ${maxAddresses}`)
      }
      replaceSubscription(state, decoded.value, targets.value)
      return { operation, response: withId(id, { status: 'subscribed' }) }
    }
    default:
      return fail(`unknown operation: ${operation}`)
  }
}
