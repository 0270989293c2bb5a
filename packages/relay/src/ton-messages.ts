import type { TonEvent } from '@chainstream/provider-toncenter'
import { addressToken, toToken } from './tokens.js'

/** One message a relay publishes: where, under which de-duplication id, and what. */
export interface RelayMessage {
  /** Where it is published (see {@link tonMessages}). */
  readonly subject: string
  /** `Nats-Msg-Id`: the same for the same event whichever relay saw it, different for different events. */
  readonly id: string
  /** The event (or its part), as a TON stream delivers it. */
  readonly event: TonEvent
  /** NATS headers (an invalidation's scope). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Header of a `trace_invalidated` message: the raw accounts the trace was shown with below finalized. */
export const ACCOUNTS_HEADER = 'Chainstream-Accounts'
/** Header of a `trace_invalidated` message: the highest finality the trace was shown at. */
export const FINALITY_HEADER = 'Chainstream-Finality'

/**
 * Splits one TON event into the relay's messages. An event's content must not depend on which relay saw
 * it, or two relays would publish different things under one id and de-duplication would keep either:
 * a `transactions` notification holds the transactions of every subscribed account, so it depends on
 * the relay's subscription — split per account, its part does not; an `actions` notification likewise,
 * split per action. Subjects (`prefix` first):
 *
 * | event | subject | id |
 * |---|---|---|
 * | transactions | `ton.transactions.<finality>.<account>.<trace>` | type, finality, trace, account |
 * | actions | `ton.actions.<finality>.<trace>.<action_id>` | type, finality, trace, action |
 * | trace | `ton.trace.<finality>.<trace>` | type, finality, trace |
 * | account_state_change | `ton.account_state_change.<finality>.<account>` | + the state hash |
 * | jettons_change | `ton.jettons_change.<finality>.<jetton wallet>` | + its last transaction LT |
 * | trace_invalidated | `ton.trace_invalidated.<trace>` | type, trace |
 *
 * Traces and actions are tokens of their base64 (url-safe, unpadded), accounts raw with `_` for `:`.
 */
export function tonMessages(prefix: string, event: TonEvent): RelayMessage[] {
  const base = `${prefix}.ton.${event.type}`
  switch (event.type) {
    case 'transactions': {
      const byAccount = new Map<string, typeof event.transactions>()
      for (const tx of event.transactions) {
        const list = byAccount.get(tx.account) ?? []
        list.push(tx)
        byAccount.set(tx.account, list)
      }
      const trace = toToken(event.trace_external_hash_norm)
      return [...byAccount].map(([account, transactions]) => {
        const token = addressToken(account)
        return {
          subject: `${base}.${event.finality}.${token}.${trace}`,
          id: `ton:transactions:${event.finality}:${trace}:${token}`,
          event: transactions.length === event.transactions.length ? event : { ...event, transactions },
        }
      })
    }
    case 'actions': {
      const trace = toToken(event.trace_external_hash_norm)
      return event.actions.map((action) => {
        const token = toToken(action.action_id)
        return {
          subject: `${base}.${event.finality}.${trace}.${token}`,
          id: `ton:actions:${event.finality}:${trace}:${token}`,
          event: event.actions.length === 1 ? event : { ...event, actions: [action] },
        }
      })
    }
    case 'trace': {
      const trace = toToken(event.trace_external_hash_norm)
      return [
        { subject: `${base}.${event.finality}.${trace}`, id: `ton:trace:${event.finality}:${trace}`, event },
      ]
    }
    case 'account_state_change': {
      const account = addressToken(event.account)
      return [
        {
          subject: `${base}.${event.finality}.${account}`,
          id: `ton:account_state_change:${event.finality}:${account}:${toToken(event.state.hash)}`,
          event,
        },
      ]
    }
    case 'jettons_change': {
      const wallet = addressToken(event.jetton.address)
      return [
        {
          subject: `${base}.${event.finality}.${wallet}`,
          id: `ton:jettons_change:${event.finality}:${wallet}:${event.jetton.last_transaction_lt}`,
          event,
        },
      ]
    }
    case 'trace_invalidated': {
      const trace = toToken(event.trace_external_hash_norm)
      return [{ subject: `${base}.${trace}`, id: `ton:trace_invalidated:${trace}`, event }]
    }
    default:
      return []
  }
}

/**
 * What identifies one delivered part regardless of its finality: a consumer keeps the highest finality it
 * delivered per key and drops anything not above it (a repeat after a relay's retry, or a lower finality
 * overtaken during a NATS outage).
 */
export function finalityKey(event: TonEvent): string | undefined {
  switch (event.type) {
    case 'transactions':
      return `tx ${event.trace_external_hash_norm} ${event.transactions[0]?.account ?? ''}`
    case 'actions':
      return `ac ${event.trace_external_hash_norm} ${event.actions[0]?.action_id ?? ''}`
    case 'trace':
      return `tr ${event.trace_external_hash_norm}`
    case 'account_state_change':
      return `as ${event.account} ${event.state.hash}`
    case 'jettons_change':
      return `jc ${event.jetton.address} ${event.jetton.last_transaction_lt}`
    case 'trace_invalidated':
      return `inv ${event.trace_external_hash_norm}`
    default:
      return undefined
  }
}
