import { isChainstreamError } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import {
  type CompiledHandler,
  compileHandler,
  type HandlerFilter,
  type TonEventHandler,
} from './handler-filters.js'
import type { TonEventType, TonFinality } from './protocol/event-types.js'
import type { TonEvent } from './ton-event.js'

const txs = (finality: TonFinality): TonEvent =>
  ({
    type: 'transactions',
    finality,
    trace_external_hash_norm: 'h=',
    transactions: [],
    source: 'stream',
  }) as TonEvent
const actions = (finality: TonFinality, types: string[]): TonEvent =>
  ({
    type: 'actions',
    finality,
    trace_external_hash_norm: 'h=',
    actions: types.map((type, i) => ({ action_id: String(i), type })),
    source: 'stream',
  }) as TonEvent
/** A few compiled handlers, dispatched the way the stream does. */
class HandlerRegistry {
  private handlers: CompiledHandler[] = []
  add<K extends TonEventType>(
    type: K,
    handler: TonEventHandler<K>,
    filter: HandlerFilter | undefined,
    min: TonFinality,
  ) {
    const compiled = compileHandler(type, handler, filter, min)
    this.handlers.push(compiled)
    return () => {
      this.handlers = this.handlers.filter((h) => h !== compiled)
    }
  }
  dispatch(event: TonEvent, min: TonFinality) {
    for (const handler of this.handlers) handler(event, min)
  }
  get size() {
    return this.handlers.length
  }
}

describe('per-handler filters', () => {
  it("gives a handler without its own minFinality the stream's, never lower (no pending leak)", () => {
    const registry = new HandlerRegistry()
    const plain: string[] = []
    const eager: string[] = []
    registry.add('transactions', (e) => plain.push(e.finality), undefined, 'pending')
    registry.add('transactions', (e) => eager.push(e.finality), { minFinality: 'pending' }, 'pending')
    for (const finality of ['pending', 'confirmed', 'finalized'] as const)
      registry.dispatch(txs(finality), 'confirmed')
    expect(plain).toEqual(['confirmed', 'finalized'])
    expect(eager).toEqual(['pending', 'confirmed', 'finalized'])
  })

  it('filters actions by type per handler, removing the others from the event', () => {
    const registry = new HandlerRegistry()
    const seen: string[][] = []
    registry.add(
      'actions',
      (e) => seen.push(e.actions.map((a) => a.type)),
      { actionTypes: ['jetton_transfer'] },
      'finalized',
    )
    registry.dispatch(actions('finalized', ['ton_transfer', 'jetton_transfer']), 'finalized')
    registry.dispatch(actions('finalized', ['ton_transfer']), 'finalized')
    expect(seen).toEqual([['jetton_transfer']])
  })

  it('refuses pending for account_state_change and jettons_change handlers', () => {
    const registry = new HandlerRegistry()
    for (const type of ['account_state_change', 'jettons_change'] as const) {
      expect(() => registry.add(type, () => {}, { minFinality: 'pending' }, 'pending')).toThrow(
        /only sent at confirmed or finalized/,
      )
    }
    expect(() =>
      registry.add('account_state_change', () => {}, { minFinality: 'confirmed' }, 'pending'),
    ).not.toThrow()
  })

  it('refuses filters that can never match, with the fix in the message', () => {
    const registry = new HandlerRegistry()
    const attempts: [() => void, RegExp][] = [
      [
        () => registry.add('transactions', () => {}, { minFinality: 'pending' }, 'finalized'),
        /pass minFinality: 'pending' to stream\(\)/,
      ],
      [
        () => registry.add('transactions', () => {}, { actionTypes: ['ton_transfer'] }, 'finalized'),
        /only apply to 'actions' and 'trace'/,
      ],
      [
        () => registry.add('trace_invalidated', () => {}, { minFinality: 'finalized' }, 'finalized'),
        /no finality/,
      ],
      [
        () => registry.add('actions', () => {}, { minFinality: 'soon' as TonFinality }, 'finalized'),
        /pending, confirmed or finalized/,
      ],
      [
        () => registry.add('actions', () => {}, { other: 1 } as never, 'finalized'),
        /Unknown handler filter "other"/,
      ],
    ]
    for (const [attempt, message] of attempts) {
      try {
        attempt()
        throw new Error('accepted')
      } catch (error) {
        expect(isChainstreamError(error, 'InvalidArgument')).toBe(true)
        expect((error as Error).message).toMatch(message)
      }
    }
  })

  it('delivers trace_invalidated to its handlers whatever the finality filters', () => {
    const registry = new HandlerRegistry()
    const seen: string[] = []
    registry.add('trace_invalidated', (e) => seen.push(e.trace_external_hash_norm), undefined, 'finalized')
    registry.dispatch(
      { type: 'trace_invalidated', trace_external_hash_norm: 'h=', source: 'stream' } as TonEvent,
      'finalized',
    )
    expect(seen).toEqual(['h='])
  })

  it('removes a handler with the returned function', () => {
    const registry = new HandlerRegistry()
    const seen: string[] = []
    const off = registry.add('transactions', (e) => seen.push(e.finality), undefined, 'finalized')
    registry.dispatch(txs('finalized'), 'finalized')
    off()
    registry.dispatch(txs('finalized'), 'finalized')
    expect(seen).toEqual(['finalized'])
    expect(registry.size).toBe(0)
  })
})
