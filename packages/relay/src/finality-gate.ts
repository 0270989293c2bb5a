import { finalityRank, type TonEvent } from '@chainstream/provider-toncenter'
import { finalityKey } from './ton-messages.js'

/**
 * A consumer's last line against repeats and regressions: per part of an event (a trace's transactions of
 * one account, one action, …) the highest finality delivered; anything not above it is dropped. A
 * JetStream redelivery (an ack that did not arrive in time) or a relay's retry around a NATS outage can
 * bring a part twice or after a higher one. Bounded: the oldest keys are forgotten first.
 */
export class FinalityGate {
  private readonly ranks = new Map<string, number>()

  constructor(private readonly limit = 200_000) {}

  /** Whether to deliver `event` (and remember it when so). */
  admit(event: TonEvent): boolean {
    const key = finalityKey(event)
    if (key === undefined) return true
    const rank = event.type === 'trace_invalidated' ? Number.MAX_SAFE_INTEGER : finalityRank(event.finality)
    const previous = this.ranks.get(key)
    if (previous !== undefined && previous >= rank) return false
    if (previous !== undefined) this.ranks.delete(key)
    this.ranks.set(key, rank)
    if (this.ranks.size > this.limit) {
      const oldest = this.ranks.keys().next().value
      if (oldest !== undefined) this.ranks.delete(oldest)
    }
    return true
  }
}
